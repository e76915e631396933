"""Tests of survey.zones: a round's time zone, today there, wall clock <-> aware datetimes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from survey.models import SurveyRound
from survey.zones import (
    UTC,
    aware_in_zone,
    local_date_text,
    local_time_text,
    reread_in_zone,
    round_today,
    round_zone,
    wall_clock,
    zone_names,
    zone_or_none,
)

PARIS = ZoneInfo("Europe/Paris")


def test_zone_names_hold_the_iana_names():
    names = zone_names()
    assert {"UTC", "Europe/Paris", "Pacific/Kiritimati"} <= names
    assert "Mars/Base" not in names
    assert zone_names() is names  # read once per process


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Paris", PARIS),
        ("UTC", UTC),
        ("Mars/Base", None),
        ("europe/paris", None),
        ("", None),
        (None, None),
        (42, None),
        ("../../etc/passwd", None),
    ],
)
def test_zone_or_none_knows_only_iana_names(name, expected):
    assert zone_or_none(name) == expected


def test_round_zone_is_the_rounds_or_utc_when_unusable():
    assert round_zone(SurveyRound(timezone="Europe/Paris")) == PARIS
    assert round_zone(SurveyRound(timezone="Mars/Base")) == UTC


def test_round_today_is_the_date_in_the_rounds_zone():
    """Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart, so never on the same
    date: one day apart, or two between 10:00 and 11:00 UTC (the test first failed then)."""
    east = round_today(SurveyRound(timezone="Pacific/Kiritimati"))
    west = round_today(SurveyRound(timezone="Pacific/Pago_Pago"))
    assert east == timezone.now().astimezone(ZoneInfo("Pacific/Kiritimati")).date()
    assert west == timezone.now().astimezone(ZoneInfo("Pacific/Pago_Pago")).date()
    assert east - west in {dt.timedelta(days=1), dt.timedelta(days=2)}


def test_aware_in_zone_reads_a_naive_time_as_the_wall_clock_there():
    winter = aware_in_zone(dt.datetime(2026, 1, 15, 9, 0), PARIS)  # noqa: DTZ001 (wall clock)
    summer = aware_in_zone(dt.datetime(2026, 7, 15, 9, 0), PARIS)  # noqa: DTZ001 (wall clock)
    assert winter == dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)
    assert summer == dt.datetime(2026, 7, 15, 7, 0, tzinfo=dt.UTC)


def test_aware_in_zone_leaves_an_aware_time_alone():
    moment = dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.UTC)
    assert aware_in_zone(moment, PARIS) is moment


@pytest.mark.parametrize(
    "naive",
    [
        dt.datetime(2026, 3, 29, 2, 0),  # noqa: DTZ001 (wall clock)
        dt.datetime(2026, 3, 29, 2, 30),  # noqa: DTZ001 (wall clock)
        dt.datetime(2026, 3, 29, 2, 59),  # noqa: DTZ001 (wall clock)
    ],
)
def test_aware_in_zone_refuses_a_time_the_clocks_skip(naive):
    """Paris goes from 02:00 straight to 03:00 on 29 March 2026."""
    with pytest.raises(ValidationError, match=r"does not exist in Europe/Paris") as caught:
        aware_in_zone(naive, PARIS)
    assert naive.strftime("%Y-%m-%d %H:%M") in caught.value.messages[0]


def test_aware_in_zone_accepts_the_times_around_the_gap():
    before = aware_in_zone(dt.datetime(2026, 3, 29, 1, 59), PARIS)  # noqa: DTZ001 (wall clock)
    after = aware_in_zone(dt.datetime(2026, 3, 29, 3, 0), PARIS)  # noqa: DTZ001 (wall clock)
    # Python subtracts same-zone datetimes by wall clock: compare in UTC.
    assert after.astimezone(dt.UTC) - before.astimezone(dt.UTC) == dt.timedelta(minutes=1)


def test_aware_in_zone_refuses_a_time_that_happens_twice():
    """02:30 happens twice in Paris on 25 October 2026 (UTC+2, then UTC+1). It used to be
    read as the first silently, while the admin refused it: one rule now (trial finding)."""
    with pytest.raises(ValidationError, match="happens twice in Europe/Paris"):
        aware_in_zone(dt.datetime(2026, 10, 25, 2, 30), PARIS)  # noqa: DTZ001 (wall clock)
    after = aware_in_zone(dt.datetime(2026, 10, 25, 3, 30), PARIS)  # noqa: DTZ001 (wall clock)
    assert after.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.UTC)


def test_reread_in_zone_keeps_the_typed_wall_clock(settings):
    """A form read 09:00 in the active zone (London); the round runs in Paris: 09:00 there."""
    with timezone.override(ZoneInfo("Europe/London")):
        typed = timezone.make_aware(dt.datetime(2026, 7, 1, 9, 0))  # noqa: DTZ001 (wall clock)
        reread = reread_in_zone(typed, PARIS)
    assert reread == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)


def test_reread_in_zone_refuses_a_time_the_clocks_skip():
    with timezone.override(UTC):
        typed = dt.datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
        with pytest.raises(ValidationError, match="does not exist in Europe/Paris"):
            reread_in_zone(typed, PARIS)


def test_wall_clock_is_the_inverse_of_aware_in_zone():
    naive = dt.datetime(2026, 7, 1, 18, 0)  # noqa: DTZ001 (wall clock)
    assert wall_clock(aware_in_zone(naive, PARIS), PARIS) == naive


def test_local_time_text_names_the_zone():
    moment = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert (
        local_time_text(moment, ZoneInfo("Europe/London"))
        == "31 December 2026, 17:00 (Europe/London)"
    )
    assert local_time_text(moment, PARIS) == "31 December 2026, 18:00 (Europe/Paris)"
    assert local_time_text(None, PARIS) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "5 February 2027, 18:00 (Europe/Paris)"),
        ("fr", "5 février 2027, 18:00 (Europe/Paris)"),
        ("de", "5. Februar 2027, 18:00 (Europe/Paris)"),
        ("es", "5 de febrero de 2027, 18:00 (Europe/Paris)"),
    ],
)
def test_local_time_text_follows_the_language(language, expected):
    # The emails' {{ closes }} and the staff pages' closing times come from here.
    moment = dt.datetime(2027, 2, 5, 17, 0, tzinfo=dt.UTC)
    with translation.override(language):
        assert local_time_text(moment, PARIS) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "6 Feb 2027"), ("fr", "6 fév 2027"), ("de", "6. Feb 2027"), ("es", "6 feb 2027")],
)
def test_local_date_text_follows_the_language_and_the_zone(language, expected):
    moment = dt.datetime(2027, 2, 5, 23, 30, tzinfo=dt.UTC)  # 6 February in Paris
    with translation.override(language):
        assert local_date_text(moment, PARIS) == expected
