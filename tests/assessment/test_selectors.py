"""Tests of assessment.selectors."""

from __future__ import annotations

import pytest

from assessment.models import Instrument
from assessment.selectors import _version_key, instrument_newest
from assessment.services import V1_INSTRUMENT_PATH, instrument_load


def test_versions_sort_naturally():
    versions = ["10", "2", "1", "2.1", "2-beta", "9"]

    assert sorted(versions, key=_version_key) == ["1", "2", "2-beta", "2.1", "9", "10"]


@pytest.mark.django_db
def test_the_newest_version_wins_even_when_an_older_one_was_loaded_last():
    v2 = instrument_load().instrument
    instrument_load(path=V1_INSTRUMENT_PATH)

    assert instrument_newest(slug="it-security-collaboration") == v2


@pytest.mark.django_db
def test_version_10_is_newer_than_9():
    for version in ("9", "10"):
        Instrument.objects.create(
            slug="x", version=version, title="X", scale_points=5, scale_labels=[]
        )

    assert instrument_newest(slug="x").version == "10"


@pytest.mark.django_db
def test_no_loaded_version_gives_none():
    assert instrument_newest(slug="nothing") is None
