"""A round's time zone: known zone names, today there, wall clock <-> aware datetimes there.

The one place that decides how a round's time zone works. A round stores an IANA name
(``SurveyRound.timezone``); people type and read its dates as wall-clock times in that zone,
and the database keeps aware datetimes (UTC). A wall-clock time the clocks skip (the hour
lost when they go forward) is refused; one they repeat (going back) is read as its first
occurrence.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from survey.models import SurveyRound

UTC = ZoneInfo("UTC")

# How each language writes a date, in Django's date-format syntax: translators give their
# language's order and words (German "l, j. F Y, H:i" -> "Freitag, 5. Februar 2027, 17:00",
# Spanish "l, j \d\e F \d\e Y, H:i" -> "viernes, 5 de febrero de 2027, 17:00").
# The respondent's pages add the weekday (survey/_round_date.html); the staff round list
# (reports/round_list.html) uses the short date's msgid and context, so one entry serves both.
DATE_TIME_FORMAT = pgettext_lazy("Django date format: day, month, year and time", "j F Y, H:i")
SHORT_DATE_FORMAT = pgettext_lazy("Django date format: day, short month and year", "j M Y")


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA time-zone name this machine knows (read once per process: the lookup walks
    the whole zone directory)."""
    return frozenset(available_timezones())


def zone_or_none(name: Any) -> ZoneInfo | None:
    """The ZoneInfo for an IANA time-zone name, or None when ``name`` is not one (any type)."""
    if not isinstance(name, str) or name not in zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def round_zone(survey_round: SurveyRound) -> ZoneInfo:
    """The round's time zone as a ZoneInfo (UTC when the stored name is unusable)."""
    return zone_or_none(survey_round.timezone) or UTC


def round_today(survey_round: SurveyRound) -> dt.date:
    """Today's date in the round's time zone."""
    return timezone.localdate(timezone=round_zone(survey_round))


def aware_in_zone(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Read a naive datetime as a wall-clock time in ``zone``; return an aware one unchanged.

    Raises django ``ValidationError``, naming the time and the zone, for a wall-clock time
    that does not exist in ``zone`` (skipped when the clocks go forward) or that happens
    twice (repeated when they go back): which of the two was meant cannot be known, and the
    admin's form refuses it too, so every way in follows one rule.
    """
    if not timezone.is_naive(value):
        return value
    aware = value.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s: the clocks skip it. Choose another time.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone.key}
        )
    if aware.utcoffset() != value.replace(tzinfo=zone, fold=1).utcoffset():
        raise ValidationError(
            _("%(time)s happens twice in %(zone)s: the clocks go back then. Choose another time.")
            % {"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone.key}
        )
    return aware


def reread_in_zone(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A datetime a form field read as a wall clock in the active time zone, read instead as
    the same wall clock in ``zone`` (the round's): 09:00 typed stays 09:00 in the round.

    Raises django ``ValidationError`` as :func:`aware_in_zone` for a time the clocks skip or
    repeat.
    """
    return aware_in_zone(timezone.make_naive(value, timezone.get_current_timezone()), zone)


def wall_clock(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The naive wall-clock time an aware ``value`` shows in ``zone`` (to prefill a form)."""
    return timezone.make_naive(value, zone)


def local_time_text(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """A moment as people read it in ``zone``, in the active language's date format, e.g.
    ``31 December 2026, 17:00 (Europe/London)``, in German ``31. Dezember 2026, 17:00
    (Europe/London)``; empty for None (no closing time)."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{formats.date_format(local, str(DATE_TIME_FORMAT))} ({zone.key})"


def local_date_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    """The day ``moment`` falls on in ``zone``, short, in the active language's date format:
    ``5 Feb 2027``, in German ``5. Feb. 2027``."""
    return formats.date_format(moment.astimezone(zone), str(SHORT_DATE_FORMAT))
