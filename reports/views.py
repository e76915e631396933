"""Leader pages: the round list, a round's dashboard, its dimension views, the methodology
page and the CSV downloads."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pandas as pd
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessment.models import Dimension
from reports import charts
from reports.analysis import (
    DEFAULT_COMPARISON,
    SIDE_GROUPS,
    Comparison,
    RoundAnalysis,
    round_analysis,
)
from reports.cache import round_results_cached
from reports.disclosure import count_suppression, dimension_comments
from reports.exports import KINDS, export_response, report_thresholds
from reports.filters import (
    RespondentFilterForm,
    comparison_answers,
    filter_round_answers,
    round_attributes,
)
from reports.forms import (
    ATTRIBUTES,
    RoundAttribute,
    comparison_from_query,
    comparison_initial,
    group_label,
)
from reports.panel import ALL_GROUP, dimension_names
from survey.models import Side, SurveyRound
from survey.selectors import (
    round_comments_frame,
    round_items_frame,
    round_participation,
    rounds_side_counts,
)

METHODOLOGY_PATH = Path(settings.BASE_DIR) / "docs" / "methodology.md"
DEFAULT_COMMENT_MIN_GROUP_SIZE = 10

# Who sees what (docs/security.md): Leaders and Analysts see the dashboards and the
# aggregated exports (summary, gaps); only Analysts and superusers download responses.csv,
# the one export with a row per respondent.
LEADERS_GROUP = "Leaders"
ANALYSTS_GROUP = "Analysts"
REPORT_GROUPS = (LEADERS_GROUP, ANALYSTS_GROUP)
AGGREGATED_KINDS = ("summary", "gaps")


def _in_groups(user: Any, names: tuple[str, ...]) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # One query per request for every check: the user object lives as long as the request.
    held = getattr(user, "_report_groups", None)
    if held is None:
        held = set(user.groups.filter(name__in=REPORT_GROUPS).values_list("name", flat=True))
        user._report_groups = held
    return bool(held & set(names))


def is_leader(user: Any) -> bool:
    """True for active superusers and members of the Leaders or Analysts group: they see
    the dashboards and the aggregated exports."""
    return _in_groups(user, REPORT_GROUPS)


def can_export_responses(user: Any) -> bool:
    """True for active superusers and members of the Analysts group (responses.csv)."""
    return _in_groups(user, (ANALYSTS_GROUP,))


def leader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let leaders and analysts through; send anonymous users to log in; show others a
    friendly 403."""

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
    """Every round, newest first, with its instrument and number of responses (shown only
    when the participation table of its dashboard shows its total too)."""
    rounds = list(
        SurveyRound.objects.select_related("instrument").annotate(response_count=Count("responses"))
    )
    by_side = rounds_side_counts(rounds=rounds)
    for survey_round in rounds:
        counts = by_side.get(survey_round.pk, {})
        _hidden, total_hidden = count_suppression(
            pd.Series({side: counts.get(side, 0) for side in Side.values}, dtype="int64"),
            survey_round.response_count,
            survey_round.min_group_size,
        )
        survey_round.response_count_hidden = total_hidden and survey_round.response_count > 0
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


def frame_records(frame: pd.DataFrame, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """A frame's rows as dicts for a template (NaN and <NA> as None, Python scalars); with
    ``names`` ({dimension_code: name}), rows with a ``dimension_code`` get its ``name``."""
    rows = [
        {key: _value(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    if names is not None:
        for row in rows:
            if "dimension_code" in row:
                row["name"] = names.get(row["dimension_code"], row["dimension_code"])
    return rows


def status_labels() -> dict[str, str]:
    """Display label of each dimension status of ``reports.analysis``."""
    return {
        "breakdown": _("breakdown"),
        "watch": _("watch"),
        "divided": _("divided"),
        "aligned": _("aligned"),
        "suppressed": _("not enough responses"),
    }


def _effect_labels() -> dict[str, str]:
    return {
        "negligible": _("negligible"),
        "small": _("small"),
        "medium": _("medium"),
        "large": _("large"),
        "": "",
    }


def chart_text(comparison: Comparison = DEFAULT_COMPARISON) -> charts.ChartText:
    """The translated words of the charts comparing ``comparison``'s two groups."""
    first = group_label(comparison.attribute, comparison.group_a)
    second = group_label(comparison.attribute, comparison.group_b)
    return charts.ChartText(
        not_enough=_("not enough responses"),
        largest_gap=_("largest gap"),
        gap_axis=_("Gap in points (%(a)s − %(b)s)") % {"a": first, "b": second},
        score_axis=_("Mean score (0–100)"),
        share_axis=_("Share of answers (%)"),
        gap=_("Gap"),
        points=_("points"),
        first=first,
        second=second,
        status=status_labels(),
    )


def _summary_groups(attribute: str, attributes: Sequence[RoundAttribute] = ()) -> list[str]:
    """The groups of the heatmap and its table: every value of the attribute, in order (a
    round attribute: the values held by at least k respondents)."""
    if attribute == "side":
        return list(SIDE_GROUPS)
    if attribute in ATTRIBUTES:
        return list(ATTRIBUTES[attribute].values)
    return next((list(a.groups) for a in attributes if a.name == attribute), [])


def participation_context(survey_round: SurveyRound) -> dict[str, Any]:
    """The participation table of a round as it may be shown (dashboard, executive summary).

    One query. Never filtered: it counts the whole round. A completed count below k, zero
    included, reads "fewer than k" (an empty side looks like a small one); the completed
    total is hidden when it would reveal the hidden sides by subtraction
    (:func:`reports.analysis.count_suppression`, the one rule of the round list too).
    Invitation counts follow the same rule, so a hidden invited count cannot be recovered
    from the total either. ``response_rate`` is a whole percentage, or None when a total is
    hidden or nothing can be said.
    """
    k = survey_round.min_group_size
    frame = round_participation(round=survey_round)
    labels = {**dict(Side.choices), "unassigned": _("Not set on the invitation")}
    sides = frame.loc[frame["side"] != "unassigned"]
    completed = pd.Series(sides["completed"].to_numpy(), index=sides["side"], dtype="int64")
    total_completed = int(completed.sum())
    hidden, total_hidden = count_suppression(completed, total_completed, k)
    listed = frame.loc[(frame["side"] != "unassigned") | (frame["invited"] > 0)]
    invited = pd.Series(listed["invited"].to_numpy(), index=listed["side"], dtype="int64")
    total_invited = int(frame["invited"].sum())
    invited_hidden, total_invited_hidden = count_suppression(invited, total_invited, k)
    rows = []
    for row in frame.itertuples(index=False):
        if row.side == "unassigned" and row.invited == 0:
            continue
        rows.append(
            {
                "label": labels.get(row.side, row.side),
                "invited": int(row.invited),
                "completed": int(row.completed),
                "invited_small": bool(invited_hidden.get(row.side, False)),
                "completed_small": bool(hidden.get(row.side, False)),
                "completed_applies": row.side != "unassigned",
            }
        )
    rate = None
    if not (total_hidden or total_invited_hidden) and 0 < total_completed <= total_invited:
        rate = round(100 * total_completed / total_invited)
    return {
        "participation": rows,
        "total_invited": total_invited,
        "total_invited_hidden": total_invited_hidden,
        "total_completed": total_completed,
        "total_completed_hidden": total_hidden,
        "response_rate": rate,
    }


def _likert_rows(
    analysis: RoundAnalysis, item_codes: list[str], groups: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """One row per item and group for the Likert data table: % at each point, or None."""
    frame = analysis.distributions
    labels = dict(groups)
    frame = frame.loc[frame["item_code"].isin(item_codes) & frame["group"].isin(labels)]
    texts = dict(zip(analysis.items["item_code"], analysis.items["item_text"], strict=True))
    rows = []
    for (code, group), part in frame.groupby(["item_code", "group"], sort=False):
        suppressed = bool(part["suppressed"].iloc[0])
        rows.append(
            {
                "item_code": code,
                "item_text": texts.get(code, code),
                "group": labels.get(group, group),
                "suppressed": suppressed,
                "pcts": [None if suppressed else _value(v) for v in part["pct"]],
            }
        )
    return rows


def _scale_labels(survey_round: SurveyRound) -> list[str]:
    instrument = survey_round.instrument
    labels = [str(label) for label in instrument.scale_labels][: instrument.scale_points]
    return labels + [str(n) for n in range(len(labels) + 1, instrument.scale_points + 1)]


def _comparison_context(
    request: HttpRequest, survey_round: SurveyRound
) -> tuple[Comparison, dict[str, Any]]:
    """Read the comparison from the query; the context shared by dashboard and item views.

    The round's own attributes (:func:`reports.filters.round_attributes`) are offered beside
    side, level and function, and kept in the context as ``round_attributes``.
    """
    attributes = round_attributes(survey_round)
    comparison, problems, form = comparison_from_query(request.GET, attributes)
    query = urlencode(comparison_initial(comparison))
    return comparison, {
        "round_attributes": attributes,
        # Quick links: each round attribute's first two values compared.
        "attribute_links": [
            {
                "label": attribute.label,
                "a": attribute.groups[0],
                "b": attribute.groups[1],
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
        "attribute_label": form.attribute_label(comparison.attribute),
        "comparison": comparison,
        "comparison_form": form,
        "comparison_problems": problems,
        "comparison_query": query,
        "label_a": group_label(comparison.attribute, comparison.group_a),
        "label_b": group_label(comparison.attribute, comparison.group_b),
        "gaps_url": reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "gaps"})
        + f"?{query}",
    }


def _analysis(
    survey_round: SurveyRound,
    comparison: Comparison,
    answers: pd.DataFrame | None = None,
    attributes: Sequence[RoundAttribute] = (),
) -> RoundAnalysis:
    """The round's analysis for ``comparison``, of ``answers`` (default: every answer);
    ``attributes``: the round's own attributes (groups of the summary)."""
    if answers is None:
        answers = comparison_answers(survey_round, comparison.attribute, comparison.pools)
    return round_analysis(
        answers,
        round_items_frame(round=survey_round),
        survey_round.instrument.scale_points,
        survey_round.min_group_size,
        _summary_groups(comparison.attribute, attributes),
        comparison=comparison,
        thresholds=report_thresholds(),
    )


def _gap_records(frame: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    statuses, effects = status_labels(), _effect_labels()
    frame = frame.assign(
        name=frame["dimension_code"].map(names),
        status_label=frame["status"].map(statuses),
        effect=frame["effect_label"].map(effects),
    )
    return frame_records(frame)


def _mirror_records(
    mirrors: pd.DataFrame, analysis: RoundAnalysis, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Mirror pair rows for a template, pairs renumbered 1, 2, ... in the order given."""
    texts = dict(zip(analysis.items["item_code"], analysis.items["item_text"], strict=True))
    numbers = {pair: n for n, pair in enumerate(dict.fromkeys(mirrors["pair"]), start=1)}
    return frame_records(
        mirrors.assign(
            pair=mirrors["pair"].map(numbers),
            item_text=mirrors["item_code"].map(texts),
            dimension_name=mirrors["dimension_code"].map(names),
        )
    )


def _base_context(survey_round: SurveyRound) -> dict[str, Any]:
    return {
        "round": survey_round,
        "k": survey_round.min_group_size,
        "scale_labels": _scale_labels(survey_round),
        "thresholds": report_thresholds(),
    }


@leader_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A round's dashboard: participation, comparison scorecard, three charts with tables.

    The figures follow the query's respondent filters (level, function, imported
    attributes; :func:`reports.filters.filter_round_answers`); participation and the CSV
    downloads always count the whole round.
    """
    survey_round = get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)
    comparison, comparison_context = _comparison_context(request, survey_round)
    context: dict[str, Any] = {
        **_base_context(survey_round),
        **comparison_context,
        **participation_context(survey_round),
        "kinds": KINDS,
        "can_export_responses": can_export_responses(request.user),
    }
    if context["total_completed"] == 0:
        return render(request, "reports/dashboard.html", {**context, "empty": True})
    # Everything computed from the answers comes from the cache until a response arrives;
    # the key names the whole query (comparison and filters).
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    results = round_results_cached(
        round=survey_round,
        part=f"dashboard?{query}",
        comparison=comparison,
        build=lambda: _dashboard_results(
            request,
            survey_round,
            comparison,
            context["comparison_query"],
            context["round_attributes"],
        ),
    )
    context.update(results)
    form = RespondentFilterForm(request.GET or None, attributes=results["filter_attribute_options"])
    form.filters()  # validates, so the form shows its errors as when it was built
    context["filter_form"] = form
    # Each form keeps the other's fields, so comparing does not drop the filters.
    context["comparison_carry"] = list(parse_qsl(results["filter_query"]))
    context["filter_carry"] = list(comparison_initial(comparison).items())
    return render(request, "reports/dashboard.html", context)


def _dashboard_results(
    request: HttpRequest,
    survey_round: SurveyRound,
    comparison: Comparison,
    comparison_query: str,
    attributes: Sequence[RoundAttribute] = (),
) -> dict[str, Any]:
    """The dashboard's context computed from the answers: picklable, so it can be cached
    (:func:`reports.cache.round_results_cached`). ``empty`` is True when no figure may be
    shown (too few respondents after the filters, or no scored answer)."""
    answers, filters = filter_round_answers(
        request,
        survey_round,
        comparison_answers(survey_round, comparison.attribute, comparison.pools),
        attribute=comparison.attribute,
        pools=comparison.pools,
    )
    results: dict[str, Any] = {k: v for k, v in filters.items() if k != "filter_form"}
    if filters["too_few"]:
        return {**results, "empty": True}
    analysis = _analysis(survey_round, comparison, answers, attributes)
    if analysis.is_empty:
        return {**results, "empty": True}
    names = dimension_names(analysis.items)
    scorecard = _gap_records(analysis.gaps, names)
    for row in scorecard:
        row["url"] = (
            reverse(
                "reports:dimension",
                kwargs={"slug": survey_round.slug, "code": row["dimension_code"]},
            )
            + f"?{comparison_query}"
        )
    group_labels = (
        dict(ATTRIBUTES[comparison.attribute].choices) if comparison.attribute in ATTRIBUTES else {}
    )
    group_labels[ALL_GROUP] = _("All")
    summary = analysis.summary.assign(
        name=analysis.summary["dimension_code"].map(names),
        group_label=analysis.summary["group"].map(lambda g: str(group_labels.get(g, g))),
    )
    heat_groups = [(g, str(group_labels.get(g, g))) for g in analysis.summary["group"].unique()]
    text = chart_text(comparison)
    figures = {
        "gap": charts.gap_chart(analysis.gaps, names, text),
        "heatmap": charts.heatmap_chart(
            analysis.summary, names, heat_groups, text, attribute=comparison.attribute
        ),
        "radar": charts.radar_chart(analysis.gaps, names, text),
    }
    sorted_gaps = sorted(scorecard, key=lambda row: (row["rank"] is None, row["rank"] or 0))
    results.update(
        {
            "empty": False,
            "scorecard": scorecard,
            "gaps": sorted_gaps,
            "breakdowns": [row for row in sorted_gaps if row["status"] == "breakdown"],
            "watch": [row for row in sorted_gaps if row["status"] == "watch"],
            "divided": [row for row in sorted_gaps if row["status"] == "divided"],
            "summary": frame_records(summary),
            "alignment_index": analysis.alignment_index,
            "mirror_rows": _mirror_records(analysis.mirror_pairs, analysis, names),
            "figures": {key: charts.figure_to_dict(f) for key, f in figures.items()},
        }
    )
    return results


def comment_threshold(survey_round: SurveyRound) -> int:
    """Writers a dimension needs before its comments are shown: the larger of the setting
    FRICTION_COMMENT_MIN_GROUP_SIZE (default 10) and the round's k."""
    setting = getattr(settings, "FRICTION_COMMENT_MIN_GROUP_SIZE", DEFAULT_COMMENT_MIN_GROUP_SIZE)
    return max(int(setting), survey_round.min_group_size)


@leader_required
def dimension(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One dimension item by item: guidance, per-item gaps and tests, Likert bars, mirrors."""
    survey_round = get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)
    dimension_row = get_object_or_404(
        Dimension.objects.only("code", "name", "description", "guidance"),
        instrument_id=survey_round.instrument_id,
        code=code,
    )
    comparison, comparison_context = _comparison_context(request, survey_round)
    context: dict[str, Any] = {
        **_base_context(survey_round),
        **comparison_context,
        "dimension": dimension_row,
        "dashboard_url": reverse("reports:dashboard", kwargs={"slug": survey_round.slug})
        + f"?{comparison_context['comparison_query']}",
    }
    # Everything computed from the answers comes from the cache until a response arrives.
    context.update(
        round_results_cached(
            round=survey_round,
            part=f"dimension:{code}",
            comparison=comparison,
            build=lambda: _dimension_results(survey_round, code, comparison, context),
        )
    )
    # A fresh order on every request, cached or not: the order says nothing of who wrote when.
    if context.get("comments"):
        context["comments"] = random.sample(context["comments"], len(context["comments"]))
    return render(request, "reports/dimension.html", context)


def _dimension_results(
    survey_round: SurveyRound, code: str, comparison: Comparison, context: dict[str, Any]
) -> dict[str, Any]:
    """The dimension page's context computed from the answers and comments: picklable, so
    it can be cached (:func:`reports.cache.round_results_cached`). ``context``: the page's
    context so far (comparison labels, scale labels, the round's attributes)."""
    analysis = _analysis(survey_round, comparison, attributes=context["round_attributes"])
    if analysis.is_empty:
        # Responses may exist with every group of the comparison protected.
        return {"empty": True, "all_hidden": survey_round.responses.exists()}
    names = dimension_names(analysis.items)
    items = analysis.items.loc[analysis.items["dimension_code"] == code]
    codes = [str(c) for c in items["item_code"]]
    texts = dict(zip(analysis.items["item_code"], analysis.items["item_text"], strict=True))
    reverse_scored = dict(
        zip(analysis.items["item_code"], analysis.items["reverse_scored"], strict=True)
    )
    item_gaps = analysis.item_gaps.loc[analysis.item_gaps["item_code"].isin(codes)]
    item_rows = frame_records(
        item_gaps.assign(
            item_text=item_gaps["item_code"].map(texts),
            reverse_scored=item_gaps["item_code"].map(reverse_scored),
            effect=item_gaps["effect_label"].map(_effect_labels()),
        )
    )
    summary = _gap_records(analysis.gaps.loc[analysis.gaps["dimension_code"] == code], names)
    mirrors = analysis.mirror_pairs
    in_dimension = mirrors.loc[mirrors["item_code"].isin(codes), "pair"].unique()
    mirrors = mirrors.loc[mirrors["pair"].isin(in_dimension)]
    mirror_rows = _mirror_records(mirrors, analysis, names)
    groups = [
        (comparison.label_a, context["label_a"]),
        (comparison.label_b, context["label_b"]),
    ]
    text = chart_text(comparison)
    likert = charts.likert_chart(
        analysis.distributions.loc[analysis.distributions["item_code"].isin(codes)],
        items,
        context["scale_labels"],
        groups,
        text,
    )
    threshold = comment_threshold(survey_round)
    comments = dimension_comments(
        round_comments_frame(round=survey_round, dimension_code=code), threshold
    )
    return {
        "empty": False,
        "comments": list(comments["text"]),
        "comment_threshold": threshold,
        "comments_url": reverse(
            "reports:comments", kwargs={"slug": survey_round.slug, "code": code}
        ),
        "summary": summary[0] if summary else None,
        "item_rows": item_rows,
        "mirror_rows": mirror_rows,
        "likert_rows": _likert_rows(analysis, codes, groups),
        "figures": {"likert": charts.figure_to_dict(likert)},
    }


@lru_cache(maxsize=4)
def _methodology_html(path: Path, modified: float) -> SafeString:
    """docs/methodology.md as HTML (raw HTML in the file is escaped, not passed through).

    Rendered by markdown-it-py; should it be missing, the text is shown as it is written.
    """
    text = path.read_text(encoding="utf-8")
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py belongs in requirements.txt
        return format_html('<pre class="methodology-text">{}</pre>', text)
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return mark_safe(html)  # noqa: S308 - rendered with raw HTML disabled


@leader_required
def methodology(request: HttpRequest) -> HttpResponse:
    """The methodology page: docs/methodology.md, rendered, plus the thresholds in force."""
    try:
        body = _methodology_html(METHODOLOGY_PATH, METHODOLOGY_PATH.stat().st_mtime)
    except OSError as error:
        raise Http404 from error
    return render(
        request,
        "reports/methodology.html",
        {"body": body, "thresholds": report_thresholds()},
    )


@leader_required
def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """Download responses.csv (Analysts only), summary.csv or gaps.csv (of the comparison in
    the query). ``?bom=0`` gives plain UTF-8 without a byte-order mark."""
    if kind not in KINDS:
        raise Http404
    if kind not in AGGREGATED_KINDS and not can_export_responses(request.user):
        return render(request, "reports/403_responses.html", status=403)
    survey_round = get_object_or_404(SurveyRound.objects.select_related("instrument"), slug=slug)
    comparison, _problems, _form = comparison_from_query(
        request.GET, round_attributes(survey_round)
    )
    bom = request.GET.get("bom", "1").strip().lower() not in {"0", "false", "no", "off"}
    return export_response(round=survey_round, kind=kind, comparison=comparison, bom=bom)
