"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from tests.factories import DimensionFactory, InstrumentFactory, ItemFactory


@pytest.fixture
def small_instrument(db):
    """A 5-point instrument with two dimensions of three Likert items (one reverse-scored
    each) and one comment item each: codes a1..a3, a_comment, b1..b3, b_comment."""
    instrument = InstrumentFactory(slug="small", title="Small instrument")
    for order, code in enumerate(["a", "b"]):
        dimension = DimensionFactory(
            instrument=instrument, code=code, name=f"Dimension {code.upper()}", order=order
        )
        for n in (1, 2, 3):
            ItemFactory(dimension=dimension, code=f"{code}{n}", order=n, reverse_scored=(n == 3))
        ItemFactory(
            dimension=dimension,
            code=f"{code}_comment",
            order=9,
            kind="text",
            text="Anything to add?",
        )
    return instrument


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a round of another test may reuse a primary key
    and a results version, and must not be served that test's cached results."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
