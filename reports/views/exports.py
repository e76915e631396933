"""The CSV downloads of a round: responses.csv (Analysts only), summary.csv, gaps.csv and
instrument v2's dont_know.csv, perceptions.csv and mirror_pairs.csv."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from audit.services import export_downloaded
from reports.choices import round_choices
from reports.downloads import round_export
from reports.exports import KINDS
from reports.forms import ATTRIBUTE_PREFIX, report_query
from reports.permissions import can_export, leader_required
from reports.views.dashboard import round_or_404

NO_BOM = {"0", "false", "no", "off"}
WITH_BOM = {"1", "true", "yes", "on", ""}
COMPARISON_PARAMETERS = ("attribute", "a", "b")
COMPARED_KINDS = ("gaps", "dont_know")  # the downloads that follow the comparison asked for


@csrf_exempt  # GET and HEAD only (require_safe): nothing to forge; other methods get 405
@require_safe
@leader_required
def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Stream export ``kind`` as a CSV attachment, e.g. ``2026-spring-gaps.csv`` (gaps.csv
    of the comparison in the query; a comparison that cannot be made is refused with a page
    that says why, never replaced). ``?bom=0`` gives plain UTF-8 without a byte-order
    mark. A parameter it reads given more than once is refused (400), as is a filter."""
    if kind not in KINDS:
        raise Http404
    if not can_export(request.user, kind):
        return render(request, "reports/403_responses.html", status=403)
    survey_round = round_or_404(slug)
    query = report_query(request.GET, choices=round_choices(round=survey_round))
    # A parameter given twice (?bom=1&bom=0) is refused, not read as its last value.
    read = {"bom", *COMPARISON_PARAMETERS, *query.filter_form.fields}
    repeated = [
        name
        for name, values in request.GET.lists()
        if len(values) > 1 and (name in read or name.startswith(ATTRIBUTE_PREFIX))
    ]
    problems = [
        _("The address gives “%(name)s” %(count)d times: give it once.")
        % {"name": name, "count": len(request.GET.getlist(name))}
        for name in repeated
    ]
    if kind in COMPARED_KINDS and not repeated:
        problems += query.comparison_problems
    if kind not in COMPARED_KINDS and any(name in request.GET for name in COMPARISON_PARAMETERS):
        # summary.csv is always by side, responses.csv one row per response: say so rather
        # than answer another question than the one asked.
        problems.append(
            _(
                "%(file)s does not take a comparison: it is always the whole round (summary.csv "
                "by side). Download gaps.csv or dont_know.csv for a comparison."
            )
            % {"file": f"{kind}.csv"}
        )
    if any(name in request.GET for name in query.filter_form.fields):
        problems.append(
            _(
                "Downloads always cover the whole round: a filter applies to the pages only. "
                "Download without the filter."
            )
        )
    bom_text = request.GET.get("bom", "1").strip().lower()
    if bom_text not in NO_BOM | WITH_BOM and "bom" not in repeated:
        problems.append(_("bom must be 1 (with a byte-order mark) or 0 (plain UTF-8)."))
    if problems:
        # Never another file in place of the one asked for.
        return render(
            request,
            "reports/export_refused.html",
            {
                "problems": problems,
                "dashboard_url": reverse("reports:dashboard", kwargs={"slug": slug}),
            },
            status=400,
        )
    bom = bom_text not in NO_BOM
    compared = {"comparison": query.comparison.described} if kind in COMPARED_KINDS else {}
    export_downloaded(by=request.user, round=survey_round, kind=kind, detail=compared)
    response = StreamingHttpResponse(
        round_export(round=survey_round, kind=kind, comparison=query.comparison, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{survey_round.slug}-{kind}.csv"'
    response["Cache-Control"] = "no-store"
    return response
