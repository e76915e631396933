"""Leader pages that read a round against the rounds before it: the trend across rounds and
the executive summary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from audit.services import report_viewed
from reports import presenters
from reports.choices import round_choices
from reports.forms import report_query
from reports.permissions import leader_required
from reports.results import (
    LEADERS,
    PARTICIPATION,
    RELATIONS,
    TREND,
    presentation_cached,
    round_results,
)
from reports.selectors import dimension_guidance
from reports.views.dashboard import round_or_404


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def trend(request: HttpRequest, slug: str) -> HttpResponse:
    """Every dimension's gap and both sides' scores across the comparable rounds, and the
    change since the previous round with its tests."""
    survey_round = round_or_404(slug)
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    results = round_results(round=survey_round, filters=query.filters, include=[TREND])
    trend = results.trend
    context: dict[str, Any] = {
        "round": survey_round,
        "k": survey_round.min_group_size,
        "protection": results.protection,
        **presenters.filter_context(query, results, fixed_comparison=True),
        "rounds": [
            {"label": label, "url": reverse("reports:dashboard", kwargs={"slug": key})}
            for key, label in trend.rounds
        ],
        "summary_url": reverse("reports:executive_summary", kwargs={"slug": slug}),
        "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
        "thresholds": results.thresholds,
    }
    context.update(
        presentation_cached(
            round=survey_round,
            results=results,
            page="trend",
            build=lambda: presenters.trend_figures(
                trend, results.comparison, drawn=not context["too_few"]
            ),
        )
    )
    report_viewed(by=request.user, round=survey_round, page="trend")
    return render(request, "reports/trend.html", context)


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def executive_summary(request: HttpRequest, slug: str) -> HttpResponse:
    """One printable page: alignment index, the top three findings with their guidance,
    the change since the last round, participation, and leaders versus staff per side."""
    survey_round = round_or_404(slug)
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    results = round_results(
        round=survey_round,
        filters=query.filters,
        include=[LEADERS, TREND, PARTICIPATION, RELATIONS],
    )
    context: dict[str, Any] = {
        "round": survey_round,
        "k": survey_round.min_group_size,
        "protection": results.protection,
        **presenters.filter_context(query, results, fixed_comparison=True),
        "participation": results.participation,
        "trend_url": reverse("reports:trend", kwargs={"slug": slug}),
        "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
        "thresholds": results.thresholds,
        "empty": results.figures.respondents == 0,
    }
    if not (context["too_few"] or context["empty"]):
        context.update(
            presentation_cached(
                round=survey_round,
                results=results,
                page="executive-summary",
                build=lambda: presenters.executive_summary_figures(
                    results,
                    dimension_guidance(round=survey_round),
                    lambda code: reverse("reports:dimension", kwargs={"slug": slug, "code": code}),
                ),
            )
        )
    report_viewed(by=request.user, round=survey_round, page="executive summary")
    return render(request, "reports/executive_summary.html", context)
