"""The CSV downloads of a round: responses.csv (Analysts only), summary.csv, gaps.csv and
instrument v2's dont_know.csv, perceptions.csv and mirror_pairs.csv."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from reports.exports import KINDS
from reports.forms import report_query
from reports.permissions import can_export, leader_required
from reports.results import round_choices, round_export
from reports.views.dashboard import round_or_404

NO_BOM = {"0", "false", "no", "off"}


@leader_required
def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Stream export ``kind`` as a CSV attachment, e.g. ``2026-spring-gaps.csv`` (gaps.csv
    of the comparison in the query; a comparison that cannot be made is refused with a page
    that says why, never replaced). ``?bom=0`` gives plain UTF-8 without a byte-order
    mark."""
    if kind not in KINDS:
        raise Http404
    if not can_export(request.user, kind):
        return render(request, "reports/403_responses.html", status=403)
    survey_round = round_or_404(slug)
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    if kind in ("gaps", "dont_know") and query.comparison_problems:
        # Never another comparison in place of the one asked for.
        return render(
            request,
            "reports/export_refused.html",
            {
                "problems": query.comparison_problems,
                "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
            },
            status=400,
        )
    bom = request.GET.get("bom", "1").strip().lower() not in NO_BOM
    response = StreamingHttpResponse(
        round_export(round=survey_round, kind=kind, comparison=query.comparison, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{survey_round.slug}-{kind}.csv"'
    response["Cache-Control"] = "no-store"
    return response
