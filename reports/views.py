"""Leader pages: the list of rounds, a round's dashboard and its CSV downloads."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

import pandas as pd
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from reports import charts
from reports.analysis import SIDE_GROUPS, RoundAnalysis, dimension_names, round_analysis
from reports.exports import KINDS, export_response
from survey.models import Side, SurveyRound
from survey.selectors import round_answers_frame, round_items_frame, round_participation

LEADERS_GROUP = "Leaders"


def is_leader(user: Any) -> bool:
    """True for active superusers and members of the Leaders group."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=LEADERS_GROUP).exists()


def leader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let leaders through; send anonymous users to log in; show others a friendly 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_leader(request.user):
            return render(request, "reports/403.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@leader_required
def round_list(request: HttpRequest) -> HttpResponse:
    """Every round, newest first, with its instrument and number of responses."""
    rounds = SurveyRound.objects.select_related("instrument").annotate(
        response_count=Count("responses")
    )
    return render(request, "reports/round_list.html", {"rounds": rounds})


def _value(value: Any) -> Any:
    """NaN and <NA> become None so templates can test `is None`; numpy scalars become Python."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {key: _value(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _chart_text() -> charts.ChartText:
    return charts.ChartText(
        not_enough=_("not enough responses"),
        largest_gap=_("largest gap"),
        gap_axis=_("Gap in points (IT − Security)"),
        score_axis=_("Mean score (0–100)"),
        share_axis=_("Share of answers (%)"),
        gap=_("Gap"),
        points=_("points"),
        first=str(Side.IT.label),
        second=str(Side.SECURITY.label),
    )


def _dashboard_charts(
    analysis: RoundAnalysis, names: dict[str, str], scale_labels: list[str]
) -> dict[str, dict[str, Any]]:
    text = _chart_text()
    side_labels = dict(Side.choices)
    heat_groups = [(code, str(side_labels[code])) for code in SIDE_GROUPS]
    heat_groups.append(("all", _("All")))
    likert_groups = [("it", str(Side.IT.label)), ("security", str(Side.SECURITY.label))]
    figures = {
        "gap": charts.gap_chart(analysis.gaps, names, text),
        "heatmap": charts.heatmap_chart(analysis.summary, names, heat_groups, text),
        "radar": charts.radar_chart(analysis.gaps, names, text),
        "likert": charts.likert_chart(
            analysis.distributions, analysis.items, scale_labels, likert_groups, text
        ),
    }
    return {key: charts.figure_to_dict(figure) for key, figure in figures.items()}


def _participation(frame: pd.DataFrame, k: int) -> list[dict[str, Any]]:
    """Participation rows for the template; counts from 1 to k−1 are shown as "fewer than k"."""
    labels = {**dict(Side.choices), "unassigned": _("Not set on the invitation")}
    rows = []
    for row in frame.itertuples(index=False):
        if row.side == "unassigned" and row.invited == 0:
            continue
        rows.append(
            {
                "label": labels.get(row.side, row.side),
                "invited": int(row.invited),
                "completed": int(row.completed),
                "invited_small": 0 < row.invited < k,
                "completed_small": 0 < row.completed < k,
                "completed_applies": row.side != "unassigned",
            }
        )
    return rows


def _likert_rows(analysis: RoundAnalysis, scale_labels: list[str]) -> list[dict[str, Any]]:
    """One row per item and side for the Likert data table: % at each point, or None."""
    frame = analysis.distributions
    frame = frame.loc[frame["group"].isin(["it", "security"])]
    side_labels = dict(Side.choices)
    texts = dict(zip(analysis.items["item_code"], analysis.items["item_text"], strict=True))
    rows = []
    for (code, group), part in frame.groupby(["item_code", "group"], sort=False):
        suppressed = bool(part["suppressed"].iloc[0])
        rows.append(
            {
                "item_code": code,
                "item_text": texts.get(code, code),
                "group": side_labels.get(group, group),
                "suppressed": suppressed,
                "pcts": [None if suppressed else _value(v) for v in part["pct"]],
            }
        )
    return rows


@leader_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A round's dashboard: participation, scorecard, four charts with data tables."""
    survey_round = get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)
    k = survey_round.min_group_size
    instrument = survey_round.instrument
    scale_labels = [str(label) for label in instrument.scale_labels][: instrument.scale_points]
    scale_labels += [str(n) for n in range(len(scale_labels) + 1, instrument.scale_points + 1)]
    participation = round_participation(round=survey_round)
    context: dict[str, Any] = {
        "round": survey_round,
        "k": k,
        "participation": _participation(participation, k),
        "total_invited": int(participation["invited"].sum()),
        "total_completed": int(participation["completed"].sum()),
        "scale_labels": scale_labels,
        "kinds": KINDS,
    }
    if context["total_completed"] == 0:
        return render(request, "reports/dashboard.html", {**context, "empty": True})
    items = round_items_frame(round=survey_round)
    analysis = round_analysis(
        round_answers_frame(round=survey_round),
        items,
        instrument.scale_points,
        k,
        groups=SIDE_GROUPS,
    )
    if analysis.is_empty:
        return render(request, "reports/dashboard.html", {**context, "empty": True})
    names = dimension_names(items)
    gaps = analysis.gaps.assign(name=analysis.gaps["dimension_code"].map(names))
    summary = analysis.summary.assign(name=analysis.summary["dimension_code"].map(names))
    side_labels = {**dict(Side.choices), "all": _("All")}
    summary = summary.assign(group_label=summary["group"].map(side_labels))
    scorecard = gaps.set_index("dimension_code").reindex(list(names)).reset_index()
    context.update(
        {
            "empty": False,
            "scorecard": _records(scorecard),
            "gaps": _records(gaps),
            "summary": _records(summary),
            "likert_rows": _likert_rows(analysis, scale_labels),
            "figures": _dashboard_charts(analysis, names, scale_labels),
        }
    )
    return render(request, "reports/dashboard.html", context)


@leader_required
def export(request: HttpRequest, slug: str, kind: str) -> StreamingHttpResponse:
    """Download responses.csv or summary.csv of a round."""
    if kind not in KINDS:
        raise Http404
    survey_round = get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)
    return export_response(round=survey_round, kind=kind)
