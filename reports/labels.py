"""The words of the results pages, in the active language: the labels of statuses, effect
sizes, verdicts, mirror patterns and sides, how sure a finding is in plain words, the texts
of the charts and the scale's labels.

Each maps the plain codes of :mod:`reports.vocabulary`, :mod:`reports.statistics`,
:mod:`reports.trends` and :mod:`reports.perceptions` to the text a page shows;
:mod:`reports.presenters` puts them beside the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import chart_locale, charts
from reports.choices import RoundAttribute
from reports.forms import group_label
from reports.vocabulary import (
    ALPHA_ITEMS_DISAGREE,
    ALPHA_TOO_FEW_ITEMS,
    ALPHA_TOO_FEW_RESPONDENTS,
    STATUS_ALIGNED,
    STATUS_BREAKDOWN,
    STATUS_DIVIDED,
    STATUS_SUPPRESSED,
    STATUS_TOO_FEW,
    STATUS_WATCH,
    Comparison,
)
from survey.models import Side


def status_labels() -> dict[str, str]:
    """Display label of each dimension status of :mod:`reports.analysis`."""
    return {
        STATUS_BREAKDOWN: _("breakdown"),
        STATUS_WATCH: _("watch"),
        STATUS_DIVIDED: _("divided"),
        STATUS_TOO_FEW: _("too few to tell"),
        STATUS_ALIGNED: _("aligned"),
        STATUS_SUPPRESSED: _("not enough responses"),
    }


def alpha_note_labels() -> dict[str, str]:
    """Why a group's Cronbach's alpha is not shown, in a few words beside its "—"
    (:func:`reports.statistics.reliability`; docs/methodology.md says more)."""
    return {
        ALPHA_TOO_FEW_ITEMS: _("fewer than two statements"),
        ALPHA_TOO_FEW_RESPONDENTS: _("too few respondents answered the statements together"),
        ALPHA_ITEMS_DISAGREE: _("the statements do not measure one thing"),
    }


def effect_labels() -> dict[str, str]:
    """Display label of each effect-size label of :func:`reports.statistics.effect_label`."""
    return {
        "negligible": _("negligible"),
        "small": _("small"),
        "medium": _("medium"),
        "large": _("large"),
        "": "",
    }


def verdict_labels() -> dict[str, str]:
    """Display label of each verdict of :mod:`reports.trends`."""
    return {
        "rose": _("rose"),
        "fell": _("fell"),
        "narrowed": _("narrowed"),
        "widened": _("widened"),
        "reversed": _("reversed"),
        "no clear change": _("no clear change"),
        "suppressed": _("not enough responses"),
    }


def chart_text(
    comparison: Comparison, attributes: Sequence[RoundAttribute] = ()
) -> charts.ChartText:
    """The translated words of the charts comparing ``comparison``'s two groups
    (``attributes``: the round's own, whose values may be translated), and the active
    language's number separators (:func:`reports.chart_locale.plotly_separators`)."""
    first = group_label(comparison.attribute, comparison.group_a, attributes)
    second = group_label(comparison.attribute, comparison.group_b, attributes)
    return charts.ChartText(
        not_enough=_("not enough responses"),
        largest_gap=_("largest gap"),
        gap_axis=_("Gap in points (%(a)s − %(b)s)") % {"a": first, "b": second},
        score_axis=_("Mean score (0–100)"),
        share_axis=_("Share of answers (%)"),
        gap=_("Gap"),
        points=_("points"),
        first=first,
        second=second,
        status=status_labels(),
        separators=chart_locale.plotly_separators(),
        percent=pgettext("percentage", "%(number)s%%") % {"number": "{}"},
    )


def scale_labels(instrument: Any) -> list[str]:
    """The instrument's label of each scale point in the active language (English where
    untranslated), its number where it has none."""
    labels = [str(label) for label in instrument.scale_labels_in()][: instrument.scale_points]
    return labels + [str(n) for n in range(len(labels) + 1, instrument.scale_points + 1)]


def certainty_words(q_value: float | None, effect: str | None) -> str:
    """How sure a finding is, in plain words, from its q-value (BH-corrected p) and its
    effect-size label (:func:`reports.statistics.effect_label`): how likely chance alone
    would give the gap, then how much the two groups' answers differ."""
    if q_value is None:
        return _("too few answers to tell")
    if q_value < 0.01:
        chance = _("very unlikely to be chance")
    elif q_value < 0.05:
        chance = _("unlikely to be chance")
    elif q_value < 0.2:
        chance = _("could be chance")
    else:
        chance = _("may well be chance")
    size = {
        "large": _("a large difference between the two groups' answers"),
        "medium": _("a medium difference between the two groups' answers"),
        "small": _("a small difference between the two groups' answers"),
        "negligible": _("hardly any difference between the two groups' answers"),
    }.get(effect or "")
    return f"{chance}; {size}" if size else chance


def pattern_labels() -> dict[str, str]:
    """Display label of each mirror-pair pattern of :func:`reports.perceptions.mirror_pattern`."""
    return {
        "blame": _("blame: each side rates itself well above the other"),
        "credit": _("credit: each side rates the other well above itself"),
        "agreement": _("agreement: neither side rates itself far from the other"),
        "mixed": _("mixed"),
        "suppressed": _("not enough responses"),
    }


def side_labels() -> dict[str, str]:
    """Display label of each side (:class:`survey.models.Side`), keyed by its value."""
    return {str(value): str(label) for value, label in Side.choices}
