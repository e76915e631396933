"""The round list, a round's dashboard and its dimension pages, and the methodology page."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from audit.services import report_viewed
from reports import labels, presenters
from reports.choices import round_choices
from reports.exports import KINDS
from reports.forms import (
    ATTRIBUTE_PREFIX,
    ReportQuery,
    comparison_initial,
    group_label,
    report_query,
)
from reports.parameters import comment_threshold, report_thresholds
from reports.permissions import can_export_responses, leader_required
from reports.results import (
    PARTICIPATION,
    RELATIONS,
    RoundResults,
    presentation_cached,
    round_comments,
    round_results,
    rounds_overview,
)
from reports.selectors import dimension_by_code, dimension_guidance, round_by_slug
from survey.models import SurveyRound

# docs/methodology.md (English) and its translations, docs/methodology.<language>.md.
METHODOLOGY_DIRECTORY = Path(settings.BASE_DIR) / "docs"
# A translation's first line says what it is, e.g.
# <!-- translation of methodology.md; needs review by a native speaker -->
METHODOLOGY_MARKER = re.compile(r"\A\ufeff?<!--(?P<note>.*?)-->[ \t]*(?:\r?\n|\Z)")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")


def round_or_404(slug: str) -> SurveyRound:
    """The round called ``slug``, or a 404 page."""
    survey_round = round_by_slug(slug=slug)
    if survey_round is None:
        raise Http404
    return survey_round


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def round_list(request: HttpRequest) -> HttpResponse:
    """Every round, newest first, with its instrument and published number of responses
    ("fewer than k" below the round's k)."""
    rounds = []
    for survey_round, count in rounds_overview():
        survey_round.response_count_hidden = count is None
        survey_round.response_count = count  # published (perturbed), never the true count
        rounds.append(survey_round)
    return render(request, "reports/round_list.html", {"rounds": rounds})


def comparison_context(
    survey_round: SurveyRound, query: ReportQuery, results: RoundResults
) -> dict[str, Any]:
    """The context every page comparing two groups shares: the round, k, scale labels and
    thresholds, the comparison form with its quick links and messages, the groups' labels
    and the gaps.csv link of the comparison."""
    comparison = query.comparison
    attributes = results.choices.attributes
    gaps_url = reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "gaps"})
    return {
        "round": survey_round,
        "k": survey_round.min_group_size,
        "protection": results.protection,
        "scale_labels": labels.scale_labels(survey_round.instrument),
        "thresholds": results.thresholds,
        "round_attributes": attributes,
        # Quick links: each round attribute's first two values compared.
        "attribute_links": [
            {
                "label": attribute.label,
                "a": attribute.value_label(attribute.groups[0]),
                "b": attribute.value_label(attribute.groups[1]),
                "query": urlencode(
                    {
                        "attribute": attribute.name,
                        "a": attribute.groups[0],
                        "b": attribute.groups[1],
                    }
                ),
            }
            for attribute in attributes
            if len(attribute.groups) > 1
        ],
        "attribute_label": query.comparison_form.attribute_label(comparison.attribute),
        "comparison": comparison,
        "comparison_form": query.comparison_form,
        "comparison_problems": query.comparison_problems,
        "comparison_query": query.comparison_query,
        "label_a": group_label(comparison.attribute, comparison.group_a, attributes),
        "label_b": group_label(comparison.attribute, comparison.group_b, attributes),
        "gaps_url": f"{gaps_url}?{query.comparison_query}",
    }


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A round's dashboard: the story first (breakdowns, the top three findings, divided
    groups, blame pairs), then the statistics, controls, participation, charts with tables.

    The figures follow the query's comparison and filter (one at a time); participation and
    the CSV downloads always count the whole round.
    """
    survey_round = round_or_404(slug)
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    results = round_results(
        round=survey_round,
        comparison=query.comparison,
        filters=query.filters,
        include=[PARTICIPATION, RELATIONS],
    )
    context: dict[str, Any] = {
        **comparison_context(survey_round, query, results),
        "participation": results.participation,
        **presenters.filter_context(query, results),
        "kinds": KINDS,
        # Instrument v2's pages, linked when the round has their figures.
        "relations": results.relations is not None and not results.relations.empty,
        "has_perceptions": results.relations is not None
        and not (results.relations.perceptions.empty and results.relations.mirror_patterns.empty),
        "has_drivers": results.relations is not None and not results.relations.drivers.empty,
        "can_export_responses": can_export_responses(request.user),
        # Each form keeps the other's fields, so comparing does not drop the filter.
        "comparison_carry": list(parse_qsl(query.filter_query)),
        "filter_carry": list(comparison_initial(query.comparison).items()),
    }
    context["empty"] = not results.participation.total.answered or results.figures.empty
    if not context["empty"]:
        context.update(
            presentation_cached(
                round=survey_round,
                results=results,
                page="dashboard",
                build=lambda: presenters.dashboard_figures(
                    results,
                    lambda code: (
                        reverse("reports:dimension", kwargs={"slug": slug, "code": code})
                        + f"?{query.comparison_query}"
                    ),
                    dimension_guidance(round=survey_round),
                ),
            )
        )
    report_viewed(by=request.user, round=survey_round, page="dashboard")
    return render(request, "reports/dashboard.html", context)


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def dimension(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One dimension item by item: guidance, per-item gaps and tests, Likert bars, mirror
    pairs and comments."""
    survey_round = round_or_404(slug)
    dimension_row = dimension_by_code(round=survey_round, code=code)
    if dimension_row is None:
        raise Http404
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    results = round_results(round=survey_round, comparison=query.comparison)
    dashboard_url = (
        reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
        + f"?{query.comparison_query}"
    )
    context: dict[str, Any] = {
        **comparison_context(survey_round, query, results),
        "dimension": dimension_row,
        "offers_dont_know": bool(survey_round.instrument.dont_know_label),
        "dashboard_url": dashboard_url,
        # Statement pages show the whole round (their per-statement tables and comments are
        # not filtered): a filter asked for here is named, with a link to the dashboard
        # that applies it (or says why it cannot), rather than dropped in silence.
        "filter_dashboard_url": _with_filter(dashboard_url, request, query),
        "empty": results.figures.empty,
        # Responses may exist with every group of the comparison protected.
        "all_hidden": results.figures.empty and results.figures.answered,
    }
    if not context["empty"]:
        context.update(
            presentation_cached(
                round=survey_round,
                results=results,
                page=f"dimension:{code}",
                build=lambda: {
                    **presenters.dimension_figures(
                        results,
                        code,
                        context["scale_labels"],
                        (context["label_a"], context["label_b"]),
                    ),
                    "comment_lists": round_comments(
                        round=survey_round, dimension_code=code, version=results.version
                    ).lists,
                },
            )
        )
        context.update(
            {
                # A fresh order on every request: the order says nothing of who wrote when.
                "comment_lists": presenters.comment_lists(
                    context["comment_lists"], lambda texts: random.sample(texts, len(texts))
                ),
                "comment_threshold": comment_threshold(round=survey_round),
                "comments_url": reverse(
                    "reports:comments", kwargs={"slug": survey_round.slug, "code": code}
                ),
            }
        )
        context["comments"] = [t for part in context["comment_lists"] for t in part["texts"]]
    report_viewed(by=request.user, round=survey_round, page=f"dimension {code}")
    return render(request, "reports/dimension.html", context)


def _with_filter(url: str, request: HttpRequest, query: ReportQuery) -> str:
    """``url`` with the filter parameters of ``request`` (as given, so the dashboard applies
    them or says why not), or ``""`` when the request asks for no filter."""
    if not (query.filters or query.filter_problems):
        return ""
    asked = [
        (name, value)
        for name, values in request.GET.lists()
        if name in query.filter_form.fields or name.startswith(ATTRIBUTE_PREFIX)
        for value in values
    ]
    return f"{url}&{urlencode(asked)}" if asked else url


def methodology_source(language: str) -> tuple[Path, str]:
    """The methodology file for a reader of ``language`` (a code of settings.LANGUAGES, such
    as "fr") and the language it is written in: docs/methodology.<language>.md when that
    file exists, else docs/methodology.md and "en"."""
    if language != "en" and LANGUAGE_CODE.fullmatch(language):
        translated = METHODOLOGY_DIRECTORY / f"methodology.{language}.md"
        if translated.is_file():
            return translated, language
    return METHODOLOGY_DIRECTORY / "methodology.md", "en"


def methodology_marker(text: str) -> tuple[str | None, str]:
    """The note of the ``<!-- ... -->`` line opening ``text`` (stripped of spaces; None when
    the first line is no such marker) and the text without that line."""
    found = METHODOLOGY_MARKER.match(text)
    if found is None:
        return None, text
    return found["note"].strip(), text[found.end() :]


class MethodologyDocument(NamedTuple):
    """A methodology file rendered: its HTML, and whether its marker says it awaits a
    native speaker's review."""

    body: SafeString
    needs_review: bool


@lru_cache(maxsize=8)
def _methodology_document(path: Path, modified: float) -> MethodologyDocument:
    """The methodology file at ``path`` (as of its mtime ``modified``) as HTML, its marker
    line left out (raw HTML in the file is escaped, not passed through, so the marker would
    show as text).

    Rendered by markdown-it-py; should it be missing, the text is shown as it is written.
    Raises OSError when the file cannot be read.
    """
    note, text = methodology_marker(path.read_text(encoding="utf-8"))
    needs_review = note is not None and "needs review" in note.lower()
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py belongs in requirements.txt
        body = format_html('<pre class="methodology-text">{}</pre>', text)
        return MethodologyDocument(body, needs_review)
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return MethodologyDocument(mark_safe(html), needs_review)  # noqa: S308 - raw HTML disabled


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def methodology(request: HttpRequest) -> HttpResponse:
    """The methodology page: docs/methodology.md, or its translation into the reader's
    language where there is one, rendered, plus the thresholds in force."""
    language = get_language() or settings.LANGUAGE_CODE
    english_reader = language.split("-")[0] == "en"
    path, document_language = methodology_source(language)
    try:
        document = _methodology_document(path, path.stat().st_mtime)
    except OSError as error:
        raise Http404 from error
    return render(
        request,
        "reports/methodology.html",
        {
            "body": document.body,
            "document_language": document_language,
            "in_english_for_reader": document_language == "en" and not english_reader,
            "needs_review": document.needs_review,
            "thresholds": report_thresholds(),
            "count_bound": settings.FRICTION_COUNT_BOUND,
            "sum_bound": settings.FRICTION_SUM_BOUND,
        },
    )
