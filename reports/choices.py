"""What a round's pages may offer to compare and filter by: the profile fields every round
has (side, level, function) and the round's own attributes (``Response.attributes``), each
with the values whose group may be shown.

Plain values (:class:`RoundChoices`), cached by the round's results version like the results
themselves; :mod:`reports.forms` reads them to build its fields, :mod:`reports.results` to
order a summary's groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import get_language

from reports.cache import round_results_cached
from reports.disclosure import values_offered
from reports.parameters import round_protection
from survey.attributes import attribute_choice_labels, attribute_label, attribute_name_label
from survey.models import Function, Level, Side, SurveyRound
from survey.selectors import rounds_attributes_frame

# The profile columns every answers frame has; any other compared attribute is read from
# ``Response.attributes``.
PROFILE_CHOICES: dict[str, type[models.TextChoices]] = {
    "side": Side,
    "level": Level,
    "function": Function,
}
PROFILE_COLUMNS = tuple(PROFILE_CHOICES)


@dataclass(frozen=True)
class RoundAttribute:
    """A profile attribute of one round beyond side, level and function (e.g. region).

    ``groups``: the values that may be compared (held by at least k respondents), in the
    order to offer them; ``label`` and ``value_labels`` ({value: text}, only where the text
    differs) in the page's language. Plain data, so it can be cached.
    """

    name: str
    label: str
    groups: tuple[str, ...]
    value_labels: dict[str, str] = field(default_factory=dict)

    def value_label(self, value: str) -> str:
        """The text shown for the group ``value``: its translation, else the value."""
        return self.value_labels.get(value, value)


@dataclass(frozen=True)
class RoundChoices:
    """What the forms of a round's pages may offer: ``attributes``, the round's own
    attributes that may be compared; ``filter_options``, {attribute or profile field: values
    a filter may offer}, never a value that names a small group."""

    attributes: tuple[RoundAttribute, ...]
    filter_options: dict[str, list[str]]


def round_choices(*, round: SurveyRound, version: str | None = None) -> RoundChoices:
    """The comparison and filter choices a round's pages may offer (cached).

    Attributes: every name found in the responses' ``Response.attributes`` with the values
    whose group may be shown (:func:`reports.disclosure.values_offered`): the round's
    declared choices first, in their order, then the others sorted; declared names first,
    each with its declared label and choices in the active language (else
    :func:`survey.attributes.attribute_name_label`). Filter options: the same values. One
    query on a miss; cached per language. ``version``: the round's results version when the
    caller has read it already (:func:`reports.results.round_results`).
    """
    return round_results_cached(
        round=round, part="choices", build=lambda: _choices(round), version=version
    )


def _choices(survey_round: SurveyRound) -> RoundChoices:
    k = survey_round.min_group_size
    attributes = rounds_attributes_frame(rounds=[survey_round])
    offered = values_offered(attributes, k, round_protection(survey_round))
    declared = {
        entry["name"]: entry
        for entry in survey_round.profile_attributes or []
        if isinstance(entry, dict) and "name" in entry
    }
    language = get_language()
    found = []
    for name in sorted(offered, key=lambda n: (n not in declared, n)):
        entry = declared.get(name, {})
        order = {choice: position for position, choice in enumerate(entry.get("choices", []))}
        values = sorted(offered[name], key=lambda v: (order.get(v, len(order)), v))
        # Without a label of its own, the name made readable ("job_family": "Job family").
        label = attribute_label({**entry, "name": attribute_name_label(name)}, language)
        shown = attribute_choice_labels(entry, language).items()
        labels = {value: text for value, text in shown if text != value}
        found.append(RoundAttribute(name, label, tuple(values), value_labels=labels))
    return RoundChoices(attributes=tuple(found), filter_options=offered)
