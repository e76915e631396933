"""Leader pages that read a round over time: the trend across rounds, the executive summary
and a dimension's comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Dimension
from assessment.scoring import likert_items
from reports import charts, trend_charts
from reports.analysis import DEFAULT_COMPARISON, compare_groups
from reports.disclosure import dimension_comments, filtered_answers, small_sides_removed
from reports.exports import report_thresholds
from reports.filters import RespondentFilterForm, attribute_options, filter_context
from reports.findings import leaders_versus_staff, recurring_words, top_findings
from reports.panel import dimension_names, respondent_scores, score_items
from reports.trends import TrendRound, round_change, shared_items, trend_table
from reports.views import (
    chart_text,
    comment_threshold,
    frame_records,
    leader_required,
    participation_context,
    status_labels,
)
from survey.models import Side, SurveyRound
from survey.selectors import (
    instrument_rounds,
    round_comments_frame,
    rounds_answers_frame,
    rounds_attributes_frame,
    rounds_items_frame,
)


def _verdict_labels() -> dict[str, str]:
    return {
        "rose": _("rose"),
        "fell": _("fell"),
        "narrowed": _("narrowed"),
        "widened": _("widened"),
        "no clear change": _("no clear change"),
        "suppressed": _("not enough responses"),
    }


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


def _load(request: HttpRequest, survey_round: SurveyRound) -> _Loaded:
    """Read the comparable rounds in four queries and apply the query's filters to each."""
    rounds = instrument_rounds(round=survey_round)
    items = rounds_items_frame(rounds=rounds)
    answers = rounds_answers_frame(rounds=rounds)
    attributes = rounds_attributes_frame(rounds=rounds)
    k = survey_round.min_group_size
    current_ids = answers.loc[answers["round_id"] == survey_round.pk, "response_id"]
    form = RespondentFilterForm(
        request.GET or None, attributes=attribute_options(attributes, current_ids, k)
    )
    filters = form.filters()
    labels = _labels(rounds)
    trend_rounds, hidden = [], {}
    for round_ in rounds:
        own = answers.loc[answers["round_id"] == round_.pk].drop(columns="round_id")
        # As on the dashboard: a side of fewer than k is left out of every figure.
        own, _sides = small_sides_removed(own, round_.min_group_size)
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


def _filter_context(loaded: _Loaded, survey_round: SurveyRound) -> dict[str, Any]:
    current = loaded.trend_rounds[-1]
    return {
        "round": survey_round,
        "k": survey_round.min_group_size,
        **filter_context(
            loaded.form,
            loaded.filters,
            int(current.answers["response_id"].nunique()),
            survey_round.min_group_size,
            loaded.hidden[survey_round.slug],
        ),
    }


def _change_rows(change: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    verdicts = _verdict_labels()
    rows = frame_records(change, names)
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
    text = chart_text()
    figures = {
        "trend_gap": trend_charts.trend_gap_chart(table, names, text),
        "trend_scores": trend_charts.trend_scores_chart(table, names, text),
    }
    context["figures"] = {key: charts.figure_to_dict(f) for key, f in figures.items()}
    context["table"] = frame_records(table, names)
    if len(loaded.trend_rounds) >= 2:
        previous, current = loaded.trend_rounds[-2:]
        change = round_change(previous, current, thresholds=thresholds)
        context["change"] = _change_rows(
            change, dimension_names(shared_items([previous.items, current.items]))
        )
        context["previous_label"], context["current_label"] = previous.label, current.label
    return render(request, "reports/trend.html", context)


@leader_required
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """One printable page: alignment index, the top three findings with their guidance,
    the change since the last round, participation, and leaders versus staff per side."""
    survey_round = _round_of(slug)
    loaded = _load(request, survey_round)
    context = _filter_context(loaded, survey_round)
    context.update(participation_context(survey_round))
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
    statuses = status_labels()
    findings = frame_records(top_findings(analysis.dimensions), names)
    for row in findings:
        row["status_label"] = statuses.get(row["status"], row["status"])
        dimension = dimensions.get(row["dimension_code"])
        row["guidance"] = dimension.guidance if dimension else ""
        row["url"] = reverse(
            "reports:dimension", kwargs={"slug": slug, "code": row["dimension_code"]}
        )
    # With a filter, leaders versus staff within each side would publish a three-way table
    # (filter × side × level), whose small cells could be worked out by combining views.
    within = (
        {}
        if loaded.filters
        else leaders_versus_staff(
            current.answers,
            current.items,
            current.points,
            current.min_group_size,
            thresholds=thresholds,
        )
    )
    side_labels = dict(Side.choices)
    leaders = []
    for side, compared in within.items():
        rows = frame_records(compared.dimensions, names)
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
    gap_figure = charts.gap_chart(analysis.dimensions, names, chart_text())
    context.update(
        {
            "alignment_index": analysis.alignment_index,
            "findings": findings,
            "scorecard": frame_records(analysis.dimensions, names),
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
    shown = dimension_comments(
        round_comments_frame(round=survey_round, dimension_code=code), threshold
    )
    texts = list(shown["text"])
    words = recurring_words(texts)
    return render(
        request,
        "reports/comments.html",
        {
            "round": survey_round,
            "dimension": dimension,
            "threshold": threshold,
            "comments": texts,
            "words": frame_records(words),
            "dimension_url": reverse("reports:dimension", kwargs={"slug": slug, "code": code}),
            "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
        },
    )
