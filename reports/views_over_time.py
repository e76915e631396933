"""Leader pages that read a round over time: the trend across rounds, the executive summary
and a dimension's comments."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Dimension
from reports import charts
from reports.analysis import (
    DEFAULT_COMPARISON,
    compare_groups,
    dimension_names,
    likert_items,
    respondent_scores,
    score_items,
)
from reports.exports import report_thresholds
from reports.filters import RespondentFilterForm
from reports.summary import (
    filtered_answers,
    leaders_versus_staff,
    participation_counts,
    recurring_words,
    shown_comments,
    top_findings,
)
from reports.trends import TrendRound, round_change, shared_items, trend_table
from reports.views import leader_required
from survey.models import Side, SurveyRound
from survey.selectors import (
    instrument_rounds,
    round_comments_frame,
    round_participation,
    rounds_answers_frame,
    rounds_attributes_frame,
    rounds_items_frame,
)

DEFAULT_COMMENT_MIN_GROUP_SIZE = 10


def _value(value: Any) -> Any:
    """NaN and <NA> become None (templates test ``is None``); numpy scalars become Python."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    rows = [{k: _value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    for row in rows:
        if names is not None and "dimension_code" in row:
            row["name"] = names.get(row["dimension_code"], row["dimension_code"])
    return rows


def _status_labels() -> dict[str, str]:
    return {
        "breakdown": _("breakdown"),
        "watch": _("watch"),
        "divided": _("divided"),
        "aligned": _("aligned"),
        "suppressed": _("not enough responses"),
    }


def _verdict_labels() -> dict[str, str]:
    return {
        "rose": _("rose"),
        "fell": _("fell"),
        "narrowed": _("narrowed"),
        "widened": _("widened"),
        "no clear change": _("no clear change"),
        "suppressed": _("not enough responses"),
    }


def _chart_text() -> charts.ChartText:
    return charts.ChartText(
        not_enough=_("not enough responses"),
        largest_gap=_("largest gap"),
        gap_axis=_("Gap in points (IT − Security)"),
        score_axis=_("Mean score (0–100)"),
        gap=_("Gap"),
        points=_("points"),
        first=_("IT"),
        second=_("Security"),
        status=_status_labels(),
    )


@dataclass(frozen=True)
class _Loaded:
    """The rounds of a trend (oldest first, the page's round last) and their data."""

    rounds: list[SurveyRound]
    trend_rounds: list[TrendRound]
    form: RespondentFilterForm
    filters: dict[str, str]
    hidden: dict[str, set[str]]  # round slug -> sides hidden by the filters


def _labels(rounds: list[SurveyRound]) -> dict[int, str]:
    """Display label per round: its name, or "name (slug)" where names repeat."""
    names = [r.name for r in rounds]
    return {r.pk: r.name if names.count(r.name) == 1 else f"{r.name} ({r.slug})" for r in rounds}


def _attribute_options(attributes: pd.DataFrame, response_ids: pd.Series, k: int) -> dict:
    """{attribute name: values held by at least k respondents of the round}."""
    own = attributes.loc[attributes["response_id"].isin(response_ids)]
    counts = own.groupby(["name", "value"]).size()
    options: dict[str, list[str]] = {}
    for (name, value), n in counts.items():
        if n >= k:
            options.setdefault(str(name), []).append(str(value))
    return options


def _load(request: HttpRequest, survey_round: SurveyRound) -> _Loaded:
    """Read the comparable rounds in four queries and apply the query's filters to each."""
    rounds = instrument_rounds(round=survey_round)
    items = rounds_items_frame(rounds=rounds)
    answers = rounds_answers_frame(rounds=rounds)
    attributes = rounds_attributes_frame(rounds=rounds)
    k = survey_round.min_group_size
    current_ids = answers.loc[answers["round_id"] == survey_round.pk, "response_id"]
    form = RespondentFilterForm(
        request.GET or None, attributes=_attribute_options(attributes, current_ids, k)
    )
    filters = form.filters()
    labels = _labels(rounds)
    trend_rounds, hidden = [], {}
    for round_ in rounds:
        own = answers.loc[answers["round_id"] == round_.pk].drop(columns="round_id")
        own_attributes = attributes.loc[attributes["response_id"].isin(own["response_id"])]
        own, hidden[round_.slug] = filtered_answers(
            own, filters, round_.min_group_size, own_attributes
        )
        trend_rounds.append(
            TrendRound(
                key=round_.slug,
                label=labels[round_.pk],
                answers=own.reset_index(drop=True),
                items=items.loc[items["instrument_id"] == round_.instrument_id]
                .drop(columns="instrument_id")
                .reset_index(drop=True),
                points=round_.instrument.scale_points,
                min_group_size=round_.min_group_size,
            )
        )
    return _Loaded(rounds, trend_rounds, form, filters, hidden)


def _form_context(
    form: RespondentFilterForm,
    filters: dict[str, str],
    respondents: int,
    k: int,
    hidden: set[str],
) -> dict[str, Any]:
    """What reports/_filters.html needs (and ``hidden_sides``: side labels hidden)."""
    labels = dict(Side.choices)
    return {
        "filter_form": form,
        "filter_problems": form.problems(),
        "active_filters": form.description(),
        "filtered": bool(filters),
        "query": form.data.urlencode() if filters else "",
        # A filtered view of fewer than k respondents shows no figure at all.
        "too_few": bool(filters) and respondents < k,
        "respondents": respondents,
        "hidden_sides": sorted(str(labels.get(side, side)) for side in hidden),
    }


def _filter_context(loaded: _Loaded, survey_round: SurveyRound) -> dict[str, Any]:
    current = loaded.trend_rounds[-1]
    return {
        "round": survey_round,
        "k": survey_round.min_group_size,
        **_form_context(
            loaded.form,
            loaded.filters,
            int(current.answers["response_id"].nunique()),
            survey_round.min_group_size,
            loaded.hidden[survey_round.slug],
        ),
    }


def filter_round_answers(
    request: HttpRequest, survey_round: SurveyRound, answers: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Apply the query's respondent filters (``level``, ``function``, ``attr.<name>``) to
    one round's answers, with suppression: the hook for the dashboard.

    ``answers`` is ``survey.selectors.round_answers_frame(round=survey_round)``. Returns
    (the answers to analyse: the selected respondents minus every side a filter would
    reveal by subtraction; the context of ``reports/_filters.html`` plus ``hidden_sides``).
    Show no figure when the context's ``too_few`` is true. One query (the attributes).
    """
    attributes = rounds_attributes_frame(rounds=[survey_round])
    k = survey_round.min_group_size
    form = RespondentFilterForm(
        request.GET or None,
        attributes=_attribute_options(attributes, answers["response_id"], k),
    )
    filters = form.filters()
    kept, hidden = filtered_answers(answers, filters, k, attributes)
    respondents = int(kept["response_id"].nunique())
    return kept, _form_context(form, filters, respondents, k, hidden)


def _change_rows(change: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    verdicts = _verdict_labels()
    rows = _records(change, names)
    for row in rows:
        for key in ("verdict_a", "verdict_b", "gap_verdict"):
            row[f"{key}_label"] = verdicts.get(row[key], row[key])
    return rows


def _change_headline(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Dimension names per kind of change that is more than noise, for a one-line reading."""
    kinds = {
        "narrowed": ("gap_verdict", "narrowed"),
        "widened": ("gap_verdict", "widened"),
        "it_rose": ("verdict_a", "rose"),
        "it_fell": ("verdict_a", "fell"),
        "security_rose": ("verdict_b", "rose"),
        "security_fell": ("verdict_b", "fell"),
    }
    return {
        kind: [row["name"] for row in rows if row[column] == verdict]
        for kind, (column, verdict) in kinds.items()
    }


def _round_of(slug: str) -> SurveyRound:
    return get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)


@leader_required
def trend(request: HttpRequest, slug: str) -> HttpResponse:
    """Every dimension's gap and both sides' scores across the comparable rounds, and the
    change since the previous round with its tests."""
    survey_round = _round_of(slug)
    loaded = _load(request, survey_round)
    context = _filter_context(loaded, survey_round)
    items = shared_items([r.items for r in loaded.trend_rounds])
    names = dimension_names(items) if not items.empty else {}
    context.update(
        {
            "rounds": [
                {"label": r.label, "url": reverse("reports:dashboard", kwargs={"slug": r.key})}
                for r in loaded.trend_rounds
            ],
            "shared_items": len(items),
            "shared_dimensions": len(names),
            "versions": len({r.instrument_id for r in loaded.rounds}),
            "summary_url": reverse("reports:summary", kwargs={"slug": slug}),
            "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
            "thresholds": report_thresholds(),
        }
    )
    if context["too_few"] or items.empty:
        return render(request, "reports/trend.html", context)
    thresholds = report_thresholds()
    table = trend_table(loaded.trend_rounds, items, thresholds=thresholds)
    text = _chart_text()
    figures = {
        "trend_gap": charts.trend_gap_chart(table, names, text),
        "trend_scores": charts.trend_scores_chart(table, names, text),
    }
    context["figures"] = {key: charts.figure_to_dict(f) for key, f in figures.items()}
    context["table"] = _records(table, names)
    if len(loaded.trend_rounds) >= 2:
        previous, current = loaded.trend_rounds[-2:]
        change = round_change(previous, current, thresholds=thresholds)
        context["change"] = _change_rows(
            change, dimension_names(shared_items([previous.items, current.items]))
        )
        context["previous_label"], context["current_label"] = previous.label, current.label
    return render(request, "reports/trend.html", context)


def _participation_context(survey_round: SurveyRound) -> dict[str, Any]:
    k = survey_round.min_group_size
    frame, total_hidden = participation_counts(round_participation(round=survey_round), k)
    labels = {**dict(Side.choices), "unassigned": _("Not set on the invitation")}
    rows = [
        {**row, "label": labels.get(row["side"], row["side"])}
        for row in _records(frame)
        if not (row["side"] == "unassigned" and row["invited"] == 0)
    ]
    invited = int(frame["invited"].sum())
    completed = int(frame["completed"].sum())
    rate = None
    if not total_hidden and 0 < completed <= invited:
        rate = round(100 * completed / invited)
    return {
        "participation": rows,
        "total_invited": invited,
        "total_completed": completed,
        "total_completed_hidden": total_hidden,
        "response_rate": rate,
    }


@leader_required
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """One printable page: alignment index, the top three findings with their guidance,
    the change since the last round, participation, and leaders versus staff per side."""
    survey_round = _round_of(slug)
    loaded = _load(request, survey_round)
    context = _filter_context(loaded, survey_round)
    context.update(_participation_context(survey_round))
    context.update(
        {
            "trend_url": reverse("reports:trend", kwargs={"slug": slug}),
            "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
            "thresholds": report_thresholds(),
        }
    )
    current = loaded.trend_rounds[-1]
    context["empty"] = current.answers.empty
    if context["too_few"] or context["empty"]:
        return render(request, "reports/executive_summary.html", context)
    thresholds = report_thresholds()
    likert = likert_items(current.items).reset_index(drop=True)
    analysis = compare_groups(
        score_items(current.answers, likert, current.points),
        respondent_scores(current.answers, likert, current.points),
        likert,
        current.points,
        comparison=DEFAULT_COMPARISON,
        min_group_size=current.min_group_size,
        thresholds=thresholds,
    )
    names = dimension_names(likert)
    dimensions = {
        d.code: d
        for d in Dimension.objects.filter(instrument_id=survey_round.instrument_id).only(
            "code", "name", "guidance"
        )
    }
    statuses = _status_labels()
    findings = _records(top_findings(analysis.dimensions), names)
    for row in findings:
        row["status_label"] = statuses.get(row["status"], row["status"])
        dimension = dimensions.get(row["dimension_code"])
        row["guidance"] = dimension.guidance if dimension else ""
        row["url"] = reverse(
            "reports:dimension", kwargs={"slug": slug, "code": row["dimension_code"]}
        )
    within = leaders_versus_staff(
        current.answers,
        current.items,
        current.points,
        current.min_group_size,
        thresholds=thresholds,
    )
    side_labels = dict(Side.choices)
    leaders = []
    for side, compared in within.items():
        rows = _records(compared.dimensions, names)
        for row in rows:
            row["status_label"] = statuses.get(row["status"], row["status"])
        leaders.append(
            {
                "side": side,
                "label": side_labels.get(side, side),
                "rows": rows,
                "alignment_index": compared.alignment_index,
            }
        )
    gap_figure = charts.gap_chart(analysis.dimensions, names, _chart_text())
    context.update(
        {
            "alignment_index": analysis.alignment_index,
            "findings": findings,
            "scorecard": _records(analysis.dimensions, names),
            "leaders": leaders,
            "figures": {"gap": charts.figure_to_dict(gap_figure)},
        }
    )
    if len(loaded.trend_rounds) >= 2:
        previous = loaded.trend_rounds[-2]
        change = round_change(previous, current, thresholds=thresholds)
        context["change"] = _change_rows(change, names)
        context["change_headline"] = _change_headline(context["change"])
        context["previous_label"] = previous.label
    return render(request, "reports/executive_summary.html", context)


def comment_threshold(survey_round: SurveyRound) -> int:
    """Writers a dimension needs before its comments are shown: the larger of the setting
    FRICTION_COMMENT_MIN_GROUP_SIZE (default 10) and the round's k."""
    setting = getattr(settings, "FRICTION_COMMENT_MIN_GROUP_SIZE", DEFAULT_COMMENT_MIN_GROUP_SIZE)
    return max(int(setting), survey_round.min_group_size)


@leader_required
def comments(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A dimension's free-text comments in random order, with no profile beside them, and
    the words that recur across them; nothing when too few people wrote one."""
    survey_round = _round_of(slug)
    dimension = get_object_or_404(
        Dimension.objects.only("code", "name", "description"),
        instrument_id=survey_round.instrument_id,
        code=code,
    )
    threshold = comment_threshold(survey_round)
    texts = shown_comments(round_comments_frame(round=survey_round, dimension_code=code), threshold)
    words = recurring_words(texts)
    return render(
        request,
        "reports/comments.html",
        {
            "round": survey_round,
            "dimension": dimension,
            "threshold": threshold,
            "comments": texts,
            "words": _records(words),
            "dimension_url": reverse("reports:dimension", kwargs={"slug": slug, "code": code}),
            "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
        },
    )
