"""Benchmarks of the product (`make bench`): data generator, measurements, load run, report."""
