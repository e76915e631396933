"""Results as a page shows them: rows for templates, and each page's tables and figures.

Every function takes a :class:`reports.results.RoundResults` (or a part of it) and returns
plain dicts and lists with translated labels (the words are :mod:`reports.labels`'s);
nothing here reads the database or decides what may be shown (:mod:`reports.disclosure` has
done that before the results exist).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

from reports import charts, trend_charts
from reports.forms import ReportQuery, value_labels
from reports.labels import (
    alpha_note_labels,
    certainty_words,
    chart_text,
    effect_labels,
    pattern_labels,
    side_labels,
    status_labels,
    verdict_labels,
)
from reports.results import Relations, RoundResults, Trend
from reports.vocabulary import (
    ALL_GROUP,
    STATUS_BREAKDOWN,
    STATUS_DIVIDED,
    STATUS_SUPPRESSED,
    STATUS_TOO_FEW,
    STATUS_WATCH,
    Comparison,
    dimension_names,
)
from survey.models import Side


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


def comment_lists(
    lists: list[tuple[tuple[str, ...], list[str]]], shuffle: Callable[[list[str]], list[str]]
) -> list[dict[str, Any]]:
    """The comment lists of :class:`reports.results.Comments` for a template: ``label``
    (the sides' names joined, "Security and Other"; None for one list of every side) and
    ``texts`` in the order ``shuffle`` gives (a fresh random one per request)."""
    names = dict(Side.choices)
    rows = []
    for sides, texts in lists:
        label = None
        if sides:
            named = [str(names.get(side, side)) for side in sides]
            label = (
                named[0]
                if len(named) == 1
                else _("%(first)s and %(last)s")
                % {"first": ", ".join(named[:-1]), "last": named[-1]}
            )
        rows.append({"label": label, "texts": shuffle(texts)})
    return rows


def filter_context(
    query: ReportQuery, results: RoundResults, *, fixed_comparison: bool = False
) -> dict[str, Any]:
    """What ``reports/_filters.html`` needs: the form, its messages, the active filter, and
    ``hidden_sides`` (labels of the groups of the compared attribute the filter hides).
    ``fixed_comparison``: the page always compares IT with Security (trend, executive
    summary), so a comparison in the query is named as not used rather than dropped
    silently."""
    labels = value_labels(results.comparison.attribute, results.choices.attributes)
    figures = results.figures
    problems = list(query.filter_problems)
    if fixed_comparison and any(name in query.filter_form.data for name in ("attribute", "a", "b")):
        problems.append(
            _(
                "This page always compares IT with Security; the comparison in the address is "
                "not used here. Open the dashboard to compare other groups."
            )
        )
    return {
        "filter_form": query.filter_form,
        "filter_problems": problems,
        "active_filters": query.filter_form.description(),
        "filtered": bool(results.filters),
        "query": query.filter_form.data.urlencode() if results.filters else "",
        "filter_query": query.filter_query,
        # A filtered view of fewer than k respondents shows no figure at all.
        "too_few": figures.too_few,
        "respondents": figures.respondents,
        "hidden_sides": sorted(str(labels.get(g, g)) for g in figures.hidden_groups),
    }


def gap_records(gaps: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of a comparison's dimensions frame with name, status and effect labels, and
    why each group's alpha is not shown (``alpha_reason_a``/``_b``, None where it is)."""
    statuses, effects, notes = status_labels(), effect_labels(), alpha_note_labels()
    return frame_records(
        gaps.assign(
            name=gaps["dimension_code"].map(names),
            status_label=gaps["status"].map(statuses),
            effect=gaps["effect_label"].map(effects),
            alpha_reason_a=gaps["alpha_note_a"].map(notes),
            alpha_reason_b=gaps["alpha_note_b"].map(notes),
        )
    )


def status_counts(gaps: pd.DataFrame) -> dict[str, int]:
    """How many dimensions of a comparison are shown, break down, are on watch and are too
    few to tell: the words beside the alignment index ("4 of 7 dimensions break down")."""
    shown = gaps.loc[~gaps["suppressed"], "status"]
    return {
        "shown": len(shown),
        "breakdown": int((shown == STATUS_BREAKDOWN).sum()),
        "watch": int((shown == STATUS_WATCH).sum()),
        "too_few": int((shown == STATUS_TOO_FEW).sum()),
    }


def mirror_records(
    mirrors: pd.DataFrame, items: pd.DataFrame, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Mirror pair rows for a template, pairs renumbered 1, 2, ... in the order given."""
    texts = dict(zip(items["item_code"], items["item_text"], strict=True))
    numbers = {pair: n for n, pair in enumerate(dict.fromkeys(mirrors["pair"]), start=1)}
    return frame_records(
        mirrors.assign(
            pair=mirrors["pair"].map(numbers),
            item_text=mirrors["item_code"].map(texts),
            dimension_name=mirrors["dimension_code"].map(names),
        )
    )


def mirror_pattern_records(relations: Relations) -> list[dict[str, Any]]:
    """The mirror pairs of :attr:`reports.results.Relations.mirror_patterns` for a
    template: each side's rating of itself and of the other with the statements' texts,
    the dimension's name and the pattern's label."""
    patterns = relations.mirror_patterns
    items = relations.items
    texts = dict(zip(items["item_code"], items["item_text"], strict=True))
    names = dict(zip(items["dimension_code"], items["dimension_name"], strict=False))
    labels = pattern_labels()
    rows = frame_records(patterns)
    for row in rows:
        row["text_about_it"] = texts.get(row["item_about_it"], row["item_about_it"])
        row["text_about_security"] = texts.get(
            row["item_about_security"], row["item_about_security"]
        )
        row["dimension_name"] = names.get(row["dimension_code"], row["dimension_code"])
        row["pattern_label"] = labels.get(row["pattern"], row["pattern"])
    return rows


def blame_pairs(pattern_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mirror pairs whose pattern is ``blame`` (:func:`reports.perceptions.mirror_pattern`:
    on each side, its rating of itself minus its rating of the other is at least the gap
    floor, and its 95 % interval lies above 0). Rows as :func:`mirror_pattern_records`;
    returns ``{"pair", "texts", "dimension_name", "it_self_minus_other",
    "security_self_minus_other"}`` per pair."""
    return [
        {
            "pair": row["pair"],
            "texts": [row["text_about_it"], row["text_about_security"]],
            "dimension_name": row["dimension_name"],
            "it_self_minus_other": row["it_self_minus_other"],
            "security_self_minus_other": row["security_self_minus_other"],
        }
        for row in pattern_rows
        if row["pattern"] == "blame"
    ]


def story(
    by_rank: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    blame: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The answer first, for the top of the dashboard: how many dimensions break down (of
    those with figures), the top findings (rows of ``findings`` with ``certainty``), the
    dimensions where a group is split (``split``: rows with ``split_sides``, the sides
    ("a", "b") that fall into two camps, and ``divided``, whether the status is divided,
    whatever the status), and the blame pairs.
    ``by_rank``: :func:`gap_records` rows by rank; ``findings``: :func:`finding_records`;
    ``blame``: :func:`blame_pairs`, or None where the round has no mirror pair with
    ``about`` (a v1 round) or the view is filtered (the patterns are the whole round's)."""
    shown = [row for row in by_rank if row["status"] != STATUS_SUPPRESSED]
    split = []
    for row in shown:
        sides = [side for side in ("a", "b") if row.get(f"polarised_{side}") is True]
        if sides or row["status"] == STATUS_DIVIDED:
            split.append({**row, "split_sides": sides, "divided": row["status"] == STATUS_DIVIDED})
    return {
        "breakdown_count": sum(row["status"] == STATUS_BREAKDOWN for row in shown),
        "dimension_count": len(shown),
        "top": findings,
        "split": split,
        "blame": blame,
    }


def relation_blame(relations: Relations | None) -> list[dict[str, Any]] | None:
    """The blame pairs of the round (:func:`blame_pairs`), or None when it has no mirror
    pair with ``about`` or the relations were not read (a filtered view)."""
    if relations is None or relations.mirror_patterns.empty:
        return None
    return blame_pairs(mirror_pattern_records(relations))


def finding_records(
    results: RoundResults, guidance: Mapping[str, str], dimension_url: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The top findings (:func:`reports.findings.top_findings`) with name, status label,
    guidance, page URL and certainty in plain words."""
    figures = results.figures
    names = dimension_names(figures.items)
    statuses = status_labels()
    findings = frame_records(figures.findings, names)
    for row in findings:
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["guidance"] = guidance.get(row["dimension_code"], "")
        row["url"] = dimension_url(str(row["dimension_code"]))
        row["certainty"] = certainty_words(row.get("q_value"), row.get("effect_label"))
    return findings


def dashboard_figures(
    results: RoundResults,
    dimension_url: Callable[[str], str],
    guidance: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The dashboard's part drawn from the answers: scorecard, gaps by rank, summary by group,
    mirror pairs, the three charts, and the story told first (:func:`story`).
    ``dimension_url``: a dimension code's page URL; ``guidance``: {dimension code: text}."""
    figures, comparison = results.figures, results.comparison
    names = dimension_names(figures.items)
    scorecard = gap_records(figures.gaps, names)
    for row in scorecard:
        row["url"] = dimension_url(str(row["dimension_code"]))
    group_labels = value_labels(comparison.attribute, results.choices.attributes)
    group_labels[ALL_GROUP] = _("All")
    summary = figures.summary.assign(
        name=figures.summary["dimension_code"].map(names),
        group_label=figures.summary["group"].map(lambda g: str(group_labels.get(g, g))),
        alpha_reason=figures.summary["alpha_note"].map(alpha_note_labels()),
    )
    heat_groups = [(g, str(group_labels.get(g, g))) for g in figures.summary["group"].unique()]
    text = chart_text(comparison, results.choices.attributes)
    drawn = {
        "gap": charts.gap_chart(figures.gaps, names, text),
        "heatmap": charts.heatmap_chart(
            figures.summary, names, heat_groups, text, attribute=comparison.attribute
        ),
        "radar": charts.radar_chart(figures.gaps, names, text),
    }
    by_rank = sorted(scorecard, key=lambda row: (row["rank"] is None, row["rank"] or 0))
    mirror_rows = mirror_records(figures.mirror_pairs, figures.items, names)
    findings = finding_records(results, guidance or {}, dimension_url)
    return {
        "story": story(by_rank, findings, relation_blame(results.relations)),
        "scorecard": scorecard,
        "gaps": by_rank,
        "breakdowns": [row for row in by_rank if row["status"] == STATUS_BREAKDOWN],
        "watch": [row for row in by_rank if row["status"] == STATUS_WATCH],
        "divided": [row for row in by_rank if row["status"] == STATUS_DIVIDED],
        "summary": frame_records(summary),
        "alignment_index": figures.alignment_index,
        "status_counts": status_counts(figures.gaps),
        "mirror_rows": mirror_rows,
        "figures": {key: charts.figure_to_dict(f) for key, f in drawn.items()},
    }


def _likert_rows(
    distributions: pd.DataFrame,
    items: pd.DataFrame,
    item_codes: list[str],
    groups: list[tuple[str, str]],
    dont_know: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """One row per item and group for the Likert data table: % at each point, or None, and
    ``dont_know_pct``, the share of "don't know" answers beside the distribution (None when
    that share is not shown, :func:`reports.perceptions.dont_know_shares`, or the round
    offers none: ``dont_know`` None or empty)."""
    shares: dict[tuple[str, str], Any] = {}
    if dont_know is not None and not dont_know.empty:
        shares = {
            (str(code), str(group)): _value(pct)
            for code, group, pct in zip(
                dont_know["item_code"], dont_know["group"], dont_know["dont_know_pct"], strict=True
            )
        }
    labels = dict(groups)
    frame = distributions.loc[
        distributions["item_code"].isin(item_codes) & distributions["group"].isin(labels)
    ]
    texts = dict(zip(items["item_code"], items["item_text"], strict=True))
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
                # Its own cell (every answer, "don't know" included), shown by its own rule.
                "dont_know_pct": shares.get((str(code), str(group))),
            }
        )
    return rows


def dimension_figures(
    results: RoundResults, code: str, scale: list[str], labels: tuple[str, str]
) -> dict[str, Any]:
    """The dimension page's part drawn from the answers: the dimension's row of the
    scorecard, its statements with their gaps and tests, the Likert bars and table, and its
    mirror pairs. ``scale``: the scale's labels; ``labels``: the two groups' labels."""
    figures, comparison = results.figures, results.comparison
    items = figures.items
    names = dimension_names(items)
    codes = [str(c) for c in items.loc[items["dimension_code"] == code, "item_code"]]
    texts = dict(zip(items["item_code"], items["item_text"], strict=True))
    reverse_scored = dict(zip(items["item_code"], items["reverse_scored"], strict=True))
    item_gaps = figures.item_gaps.loc[figures.item_gaps["item_code"].isin(codes)]
    item_rows = frame_records(
        item_gaps.assign(
            item_text=item_gaps["item_code"].map(texts),
            reverse_scored=item_gaps["item_code"].map(reverse_scored),
            effect=item_gaps["effect_label"].map(effect_labels()),
        )
    )
    summary = gap_records(figures.gaps.loc[figures.gaps["dimension_code"] == code], names)
    mirrors = figures.mirror_pairs
    in_dimension = mirrors.loc[mirrors["item_code"].isin(codes), "pair"].unique()
    mirrors = mirrors.loc[mirrors["pair"].isin(in_dimension)]
    groups = [(comparison.label_a, labels[0]), (comparison.label_b, labels[1])]
    distributions = figures.distributions
    likert = charts.likert_chart(
        distributions.loc[distributions["item_code"].isin(codes)],
        items.loc[items["item_code"].isin(codes)],
        scale,
        groups,
        chart_text(comparison, results.choices.attributes),
    )
    return {
        "summary": summary[0] if summary else None,
        "item_rows": item_rows,
        "mirror_rows": mirror_records(mirrors, items, names),
        "likert_rows": _likert_rows(distributions, items, codes, groups, figures.dont_know),
        "figures": {"likert": charts.figure_to_dict(likert)},
    }


def change_rows(change: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of :func:`reports.trends.round_change` with names and verdict labels."""
    verdicts = verdict_labels()
    rows = frame_records(change, names)
    for row in rows:
        for key in ("verdict_a", "verdict_b", "gap_verdict"):
            row[f"{key}_label"] = verdicts.get(row[key], row[key])
    return rows


def change_headline(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Dimension names per kind of change that is more than noise, for a one-line reading."""
    kinds = {
        "narrowed": ("gap_verdict", "narrowed"),
        "widened": ("gap_verdict", "widened"),
        "reversed": ("gap_verdict", "reversed"),
        "it_rose": ("verdict_a", "rose"),
        "it_fell": ("verdict_a", "fell"),
        "security_rose": ("verdict_b", "rose"),
        "security_fell": ("verdict_b", "fell"),
    }
    return {
        kind: [row["name"] for row in rows if row[column] == verdict]
        for kind, (column, verdict) in kinds.items()
    }


def trend_figures(trend: Trend, comparison: Comparison, *, drawn: bool = True) -> dict[str, Any]:
    """The trend page's counts of shared items, dimensions and versions, then (unless
    ``drawn`` is False) its table, charts and change since the previous round."""
    names = dimension_names(trend.shared_items) if not trend.shared_items.empty else {}
    out: dict[str, Any] = {
        "shared_items": len(trend.shared_items),
        "shared_dimensions": len(names),
        "versions": trend.versions,
    }
    if trend.table is None or not drawn:
        return out
    text = chart_text(comparison)
    figures = {
        "trend_gap": trend_charts.trend_gap_chart(trend.table, names, text),
        "trend_scores": trend_charts.trend_scores_chart(trend.table, names, text),
    }
    out["figures"] = {key: charts.figure_to_dict(f) for key, f in figures.items()}
    out["table"] = frame_records(trend.table, names)
    if trend.change is not None:
        out["change"] = change_rows(trend.change, trend.change_names)
        out["previous_label"], out["current_label"] = (label for _key, label in trend.rounds[-2:])
    return out


def executive_summary_figures(
    results: RoundResults, guidance: Mapping[str, str], dimension_url: Callable[[str], str]
) -> dict[str, Any]:
    """The executive summary's part drawn from the answers: alignment index, top findings
    with their guidance, scorecard, leaders versus staff per side, the gap chart and the
    change since the previous round. ``dimension_url`` as in :func:`dashboard_figures`."""
    figures = results.figures
    names = dimension_names(figures.items)
    statuses = status_labels()
    findings = finding_records(results, guidance, dimension_url)
    side_labels = dict(Side.choices)
    leaders = []
    for side, compared in (results.leaders or {}).items():
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
    gap_figure = charts.gap_chart(figures.gaps, names, chart_text(results.comparison))
    # On paper the chart shares its page with twelve dimensions or more: tight rows.
    gap_figure.update_layout(height=76 + 20 * len(figures.gaps))
    out: dict[str, Any] = {
        "alignment_index": figures.alignment_index,
        "status_counts": status_counts(figures.gaps),
        "findings": findings,
        "scorecard": frame_records(figures.gaps, names),
        "leaders": leaders,
        "figures": {"gap": charts.figure_to_dict(gap_figure)},
        "blame": relation_blame(results.relations),
    }
    trend = results.trend
    if trend is not None and trend.change is not None:
        out["change"] = change_rows(trend.change, names)
        out["change_headline"] = change_headline(out["change"])
        out["previous_label"] = trend.rounds[-2][1]
    return out


def perception_records(relations: Relations) -> dict[str, list[dict[str, Any]]]:
    """The meta-perceptions of :attr:`reports.results.Relations.perceptions` for a template:
    ``statements`` and ``dimensions`` (rows of :data:`reports.perceptions.PERCEPTION_COLUMNS`
    with the statement's text or the dimension's name, the side's label and the other
    side's), in the frame's order."""
    items = relations.items
    texts = dict(zip(items["item_code"], items["item_text"], strict=True))
    names = dict(zip(items["dimension_code"], items["dimension_name"], strict=False))
    labels = side_labels()
    rows = frame_records(relations.perceptions)
    for row in rows:
        row["text"] = texts.get(row["item_code"], names.get(row["dimension_code"], ""))
        row["dimension_name"] = names.get(row["dimension_code"], row["dimension_code"])
        row["side_label"] = labels.get(row["side"], row["side"])
        other = "security" if row["side"] == "it" else "it"
        row["other_label"] = labels.get(other, other)
    return {
        "statements": [row for row in rows if row["level"] == "item"],
        "dimensions": [row for row in rows if row["level"] == "dimension"],
    }


def driver_records(relations: Relations) -> list[dict[str, Any]]:
    """Per side (IT, then Security): its label, its ``top`` driver (the row of
    :func:`reports.drivers.drivers` marked top, with the dimension's name; None when no
    dimension's interval excludes 0) and ``rows``, every dimension's correlation."""
    names = dimension_names(relations.items)
    labels = side_labels()
    out = []
    for side in ("it", "security"):
        part = relations.drivers.loc[relations.drivers["side"] == side]
        rows = frame_records(part, names)
        top = next((row for row in rows if row["top"]), None)
        out.append({"side": side, "label": labels.get(side, side), "top": top, "rows": rows})
    return out
