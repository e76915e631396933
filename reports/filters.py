"""Respondent filters of the leader pages (dashboard, trend, executive summary): the GET form
(level, function, imported attributes) and applying it to a round's answers safely."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from reports.cache import round_results_cached
from reports.disclosure import (
    filtered_answers,
    partition_hidden,
    partition_protected,
    small_sides_removed,
)
from reports.forms import ATTRIBUTES, RoundAttribute
from survey.models import Function, Level, SurveyRound
from survey.selectors import round_answers_frame, rounds_attributes_frame

ATTRIBUTE_PREFIX = "attr."
EVERYONE = ""


class RespondentFilterForm(forms.Form):
    """Level, function and one field per imported attribute (``attr.<name>``); blank = all.
    One filter applies at a time (the first chosen, in this order); the others are ignored
    with a message.

    ``attributes``: {name: values offered}. Offer only values held by at least k
    respondents, so the list itself names no small group. Invalid input never raises:
    :meth:`filters` keeps the valid fields and :meth:`problems` says what was ignored.
    """

    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[(EVERYONE, _("All levels")), *Level.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    function = forms.ChoiceField(
        label=_("Function"),
        required=False,
        choices=[(EVERYONE, _("All functions")), *Function.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        attributes: Mapping[str, Iterable[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        for name, values in sorted((attributes or {}).items()):
            self.fields[f"{ATTRIBUTE_PREFIX}{name}"] = forms.ChoiceField(
                label=attribute_label(name),
                required=False,
                choices=[(EVERYONE, _("All")), *[(v, v) for v in sorted(values)]],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def filters(self) -> dict[str, str]:
        """{column: value} of the valid, non-blank fields (attribute columns without prefix)."""
        if not self.is_bound:
            return {}
        chosen = self._chosen()
        return dict(chosen[:1])

    def _chosen(self) -> list[tuple[str, str]]:
        """Every valid, non-blank field as (column, value), in the form's field order."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return [
            (name.removeprefix(ATTRIBUTE_PREFIX), cleaned[name])
            for name in self.fields
            if cleaned.get(name) and name not in self.errors
        ]

    def problems(self) -> list[str]:
        """One message per ignored field: invalid, or a second filter (one at a time: two
        filters and a comparison would publish three-way tables, whose small cells could be
        worked out by combining views)."""
        if not self.is_bound:
            return []
        messages = [
            _("%(field)s: that choice is not available, so it was ignored.")
            % {"field": self.fields[name].label if name in self.fields else name}
            for name in (self.errors if not self.is_valid() else {})
        ]
        labels = {
            name.removeprefix(ATTRIBUTE_PREFIX): field.label for name, field in self.fields.items()
        }
        messages += [
            _("%(field)s: one filter at a time, so this one was ignored.")
            % {"field": labels.get(column, column)}
            for column, _value in self._chosen()[1:]
        ]
        return messages

    def description(self) -> list[tuple[str, str]]:
        """(label, chosen value's label) of every active filter, for the page and print."""
        chosen = self.filters()
        out = []
        for name, field in self.fields.items():
            column = name.removeprefix(ATTRIBUTE_PREFIX)
            if column in chosen:
                labels = dict(field.choices)
                out.append((str(field.label), str(labels.get(chosen[column], chosen[column]))))
        return out


def attribute_options(
    attributes: pd.DataFrame, response_ids: pd.Series, k: int
) -> dict[str, list[str]]:
    """{attribute name: values the filter form may offer} among the respondents
    ``response_ids``: the values not hidden in the attribute's own unfiltered view
    (:func:`reports.summary.partition_hidden` over its values and "not given"), so the list
    itself names no small group and no value whose total would reveal one.

    ``attributes``: long frame (``response_id``, ``name``, ``value``) as
    ``survey.selectors.rounds_attributes_frame``.
    """
    respondents = int(pd.Series(response_ids).nunique())
    own = attributes.loc[attributes["response_id"].isin(response_ids)]
    options: dict[str, list[str]] = {}
    for name, part in own.groupby("name"):
        counts = part["value"].astype(str).value_counts()
        counts[""] = respondents - int(counts.sum())
        hidden = partition_hidden(counts, k)
        shown = [str(value) for value in counts.index if value and str(value) not in hidden]
        if shown:
            options[str(name)] = sorted(shown)
    return options


def attribute_label(name: str) -> str:
    """The display name of an imported attribute without a declared label: ``job_family`` ->
    "Job family"."""
    return name.replace("_", " ").capitalize()


def round_attributes(survey_round: SurveyRound) -> list[RoundAttribute]:
    """The round's own profile attributes that may be compared on its dashboard.

    Every name found in the responses' ``Response.attributes`` (declared by the round or
    imported), with the values held by at least k (``min_group_size``) respondents: the
    round's declared choices first, in their order, then the others sorted; the label is the
    declared one, else :func:`attribute_label`. Names are sorted, declared ones first. Cached
    with the round's results (one query on a hit, one more on a miss), so the comparison
    form costs no read of the responses on every page.
    """

    def build() -> dict[str, Any]:
        attributes = rounds_attributes_frame(rounds=[survey_round])
        counts = attributes.groupby(["name", "value"]).size()
        held: dict[str, list[str]] = {}
        for (name, value), n in counts.items():
            if n >= survey_round.min_group_size:
                held.setdefault(str(name), []).append(str(value))
        declared = {
            entry["name"]: entry
            for entry in survey_round.profile_attributes or []
            if isinstance(entry, dict) and "name" in entry
        }
        found = []
        for name in sorted(held, key=lambda n: (n not in declared, n)):
            entry = declared.get(name, {})
            order = {choice: position for position, choice in enumerate(entry.get("choices", []))}
            values = sorted(held[name], key=lambda v: (order.get(v, len(order)), v))
            label = str(entry.get("label") or attribute_label(name))
            found.append((name, label, values))
        return {"attributes": found}

    cached = round_results_cached(round=survey_round, part="round-attributes", build=build)
    return [
        RoundAttribute(name=name, label=label, groups=tuple(values))
        for name, label, values in cached["attributes"]
    ]


def comparison_answers(
    survey_round: SurveyRound, attribute: str = "side", pools: Sequence[Sequence[str]] = ()
) -> pd.DataFrame:
    """The answers every figure of a view comparing the groups of ``attribute`` is computed
    from: ``survey.selectors.round_answers_frame`` (with the column of ``attribute`` when it
    is one of the round's own attributes, e.g. ``region``), without the respondents of a
    side held by fewer than k (:func:`reports.summary.small_sides_removed`) and with the
    groups of ``attribute`` suppressed so that hidden ones hold 0 or at least k respondents
    together (:func:`reports.summary.partition_protected`; ``pools``: the comparison's
    groups of several values, hidden whole when one value is): no figure, combined with the
    round's total shown in another view, reveals a group smaller than k.
    """
    extra = () if attribute in ATTRIBUTES else (attribute,)
    answers = round_answers_frame(round=survey_round, attributes=extra)
    k = survey_round.min_group_size
    answers, _sides = small_sides_removed(answers, k)
    answers, _hidden = partition_protected(answers, attribute, k, pools)
    return answers


def filter_context(
    form: RespondentFilterForm,
    filters: dict[str, str],
    respondents: int,
    k: int,
    hidden: set[str],
    attribute: str = "side",
) -> dict[str, Any]:
    """What ``reports/_filters.html`` needs, plus ``hidden_sides`` (labels of the groups of
    ``attribute`` a filter hides) and ``filter_query`` (the filter fields alone, urlencoded).
    """
    labels = dict(ATTRIBUTES[attribute].choices) if attribute in ATTRIBUTES else {}
    chosen = {
        name: form.data[name]
        for name in form.fields
        if name.removeprefix(ATTRIBUTE_PREFIX) in filters and name in form.data
    }
    return {
        "filter_form": form,
        "filter_problems": form.problems(),
        "active_filters": form.description(),
        "filtered": bool(filters),
        "query": form.data.urlencode() if filters else "",
        "filter_query": urlencode(chosen),
        # A filtered view of fewer than k respondents shows no figure at all.
        "too_few": bool(filters) and respondents < k,
        "respondents": respondents,
        "hidden_sides": sorted(str(labels.get(group, group)) for group in hidden),
    }


def filter_round_answers(
    request: HttpRequest,
    survey_round: SurveyRound,
    answers: pd.DataFrame,
    *,
    attribute: str = "side",
    pools: Sequence[Sequence[str]] = (),
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Apply the query's respondent filters (``level``, ``function``, ``attr.<name>``) to
    one round's answers, with suppression.

    ``answers`` is ``survey.selectors.round_answers_frame(round=survey_round)``;
    ``attribute`` names the groups the page shows (``side``, or the dashboard comparison's
    attribute). Returns (the answers to analyse: the selected respondents minus every group
    of ``attribute`` a filter would reveal by subtraction, see
    :func:`reports.summary.filtered_answers`; the context of :func:`filter_context`).
    Show no figure when the context's ``too_few`` is true. One query (the attributes).
    """
    attributes = rounds_attributes_frame(rounds=[survey_round])
    k = survey_round.min_group_size
    options = attribute_options(attributes, answers["response_id"], k)
    form = RespondentFilterForm(request.GET or None, attributes=options)
    filters = form.filters()
    kept, hidden = filtered_answers(
        answers, filters, k, attributes, attribute=attribute, pools=pools
    )
    respondents = int(kept["response_id"].nunique())
    context = filter_context(form, filters, respondents, k, hidden, attribute)
    # What rebuilds the form without the answers (a page served from the cache).
    context["filter_attribute_options"] = options
    return kept, context
