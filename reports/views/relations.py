"""How each side sees the other (instrument v2): the meta-perceptions and mirror-pair
patterns page, and the drivers page. Both show the whole round, IT and Security."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from audit.services import report_viewed
from reports import presenters
from reports.permissions import leader_required
from reports.results import RELATIONS, RoundResults, presentation_cached, round_results
from reports.views.dashboard import round_or_404
from survey.models import SurveyRound


def _context(survey_round: SurveyRound) -> tuple[dict[str, Any], RoundResults]:
    """What both pages share, and the round's results with its relations."""
    results = round_results(round=survey_round, include=[RELATIONS])
    context = {
        "round": survey_round,
        "k": survey_round.min_group_size,
        "protection": results.protection,
        "thresholds": results.thresholds,
        "dashboard_url": reverse("reports:dashboard", kwargs={"slug": survey_round.slug}),
    }
    return context, results


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def perceptions(request: HttpRequest, slug: str) -> HttpResponse:
    """How each side thinks the other sees it: per meta-perception statement and dimension,
    each side's own view, its guess of the other's and the other's actual view with the
    misperception; then the mirror pairs as each side's rating of itself and of the other,
    with their pattern. Empty sections for a round without them (a v1 round)."""
    survey_round = round_or_404(slug)
    context, results = _context(survey_round)
    context["ignored_query"] = bool(request.GET)
    relations = results.relations
    context.update(
        presentation_cached(
            round=survey_round,
            results=results,
            page="perceptions",
            build=lambda: {
                **presenters.perception_records(relations),
                "mirror_patterns": presenters.mirror_pattern_records(relations),
            },
        )
    )
    report_viewed(by=request.user, round=survey_round, page="perceptions")
    return render(request, "reports/perceptions.html", context)


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def drivers(request: HttpRequest, slug: str) -> HttpResponse:
    """What drives the overall rating: per side, the rank correlation of each dimension's
    score with the outcome statement, and the dimension that moves it most."""
    survey_round = round_or_404(slug)
    context, results = _context(survey_round)
    context["ignored_query"] = bool(request.GET)
    relations = results.relations
    context.update(
        presentation_cached(
            round=survey_round,
            results=results,
            page="drivers",
            build=lambda: {"sides": presenters.driver_records(relations)},
        )
    )
    outcome = relations.items.loc[relations.items["kind"] == "outcome", "item_text"]
    context["outcome_text"] = str(outcome.iloc[0]) if len(outcome) else ""
    report_viewed(by=request.user, round=survey_round, page="drivers")
    return render(request, "reports/drivers.html", context)
