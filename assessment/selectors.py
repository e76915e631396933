"""Reads of the instrument tables that other apps share, so they choose alike."""

from __future__ import annotations

import re

from assessment.models import Instrument

_RUNS = re.compile(r"(\d+)")


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of version strings: "2" < "10", "2" < "2.1"; digits after text."""
    return tuple(
        (1, int(run)) if run.isdigit() else (0, run.casefold())
        for run in _RUNS.split(version)
        if run
    )


def instrument_newest(*, slug: str) -> Instrument | None:
    """The highest loaded version of the instrument ``slug`` (natural order of ``version``,
    so "10" follows "9"), or None when no version is loaded.

    New rounds should use this rather than the most recently loaded version: loading an old
    version (say v1, to re-render an old round) must not make it the default again.
    """
    versions = list(Instrument.objects.filter(slug=slug))
    if not versions:
        return None
    return max(versions, key=lambda instrument: (_version_key(instrument.version), instrument.pk))
