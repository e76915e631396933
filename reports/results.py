"""A round's results: the one path from the database to a published figure.

Every leader page, CSV download and ``export_csv`` asks :func:`round_results` (the
downloads through :func:`reports.downloads.round_export`, which streams the
row-per-respondent responses.csv itself) and nothing else: it reads through the selectors,
protects the answers by the rules of :mod:`reports.disclosure`, runs the pure analysis and
returns a plain value (dataclasses, dicts and pandas frames; no request, no form, no
queryset) that is cached by the round's results version (:mod:`reports.cache`), so it is
computed once until a response arrives or leaves. What a page shows of it and in which
words is up to :mod:`reports.presenters`; what it may offer to compare and filter by, to
:mod:`reports.choices`.

Every view sees every respondent its filter selects (:func:`reports.disclosure.selected_answers`):
what may be shown, and how, is decided cell by cell by the cell-key method of
:mod:`reports.disclosure` under the round's protection
(:func:`reports.parameters.round_protection`): each count and mean is published perturbed,
consistently in every view, and a group reads "fewer than k" where
:func:`reports.disclosure.cell_shown` says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd

from assessment.scoring import likert_items
from reports.analysis import GroupComparison, round_analysis
from reports.cache import round_results_cached
from reports.choices import PROFILE_CHOICES, PROFILE_COLUMNS, RoundChoices, round_choices
from reports.disclosure import (
    cell_shown,
    count_published,
    dimension_comments,
    published_total,
    selected_answers,
)
from reports.drivers import drivers
from reports.findings import leaders_versus_staff, recurring_words, top_findings
from reports.panel import Panel, score_items
from reports.parameters import comment_threshold, report_thresholds, round_protection
from reports.perceptions import dont_know_shares, meta_perceptions, mirror_patterns
from reports.selectors import (
    round_results_version,
    rounds_response_ids,
    rounds_with_counts,
)
from reports.trends import TrendRound, round_change, shared_items, trend_table
from reports.vocabulary import (
    DEFAULT_COMPARISON,
    SIDE_GROUPS,
    Comparison,
    Protection,
    Thresholds,
    dimension_names,
)
from survey.models import SurveyRound
from survey.participation import Participation, round_participation
from survey.selectors import (
    instrument_rounds,
    round_answers_frame,
    round_comments_frame,
    round_items_frame,
    rounds_answers_frame,
    rounds_attributes_frame,
    rounds_items_frame,
)

# What a page may ask for beyond the comparison's figures.
LEADERS = "leaders"  # leaders versus staff within each side (never with a filter)
TREND = "trend"  # the comparable rounds' trend and the change since the previous round
PARTICIPATION = "participation"  # invited, completed and answered (read anew every time)
# How each side sees the other (instrument v2): meta-perceptions, mirror patterns, drivers
# (the whole round, IT and Security; never with a filter).
RELATIONS = "relations"
SECTIONS = frozenset({LEADERS, TREND, PARTICIPATION, RELATIONS})
T = TypeVar("T")


@dataclass(frozen=True)
class Figures:
    """The published frames of one comparison under at most one filter.

    Frames as in :class:`reports.analysis.RoundAnalysis` (suppressed cells already blank),
    and ``findings``, the dimensions to act on first (:func:`reports.findings.top_findings`);
    ``items``: the Likert items. ``respondents``: respondents behind the figures;
    ``hidden_groups``: groups of the compared attribute that read "fewer than k" on every
    dimension; ``too_few``: a view whose respondents may not be shown
    (:func:`reports.disclosure.cell_shown`), which shows nothing;
    ``answered``: the round has answers (all of them may be protected).
    """

    respondents: int
    hidden_groups: frozenset[str]
    too_few: bool
    answered: bool = False  # the round has answers, whether or not any may be shown
    items: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    gaps: pd.DataFrame | None = None
    item_gaps: pd.DataFrame | None = None
    distributions: pd.DataFrame | None = None
    mirror_pairs: pd.DataFrame | None = None
    findings: pd.DataFrame | None = None
    alignment_index: float | None = None
    # The share of "don't know" per statement and compared group
    # (:func:`reports.perceptions.dont_know_shares`; no row of "don't know" in a v1 round).
    dont_know: pd.DataFrame | None = None

    @property
    def empty(self) -> bool:
        """True when no figure may be shown (too few after the filter, or no answer)."""
        return self.too_few or self.respondents == 0


@dataclass(frozen=True)
class Trend:
    """The comparable rounds (``rounds``: (slug, label), oldest first, this round last),
    their trend table on the shared items, and the change since the previous round."""

    rounds: list[tuple[str, str]]
    versions: int
    shared_items: pd.DataFrame
    table: pd.DataFrame | None
    change: pd.DataFrame | None
    change_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Relations:
    """How IT and Security see each other, for the whole round (instrument v2; every frame
    empty for a v1 round): ``perceptions`` (:func:`reports.perceptions.meta_perceptions`),
    ``mirror_patterns`` (:func:`reports.perceptions.mirror_patterns`), ``drivers``
    (:func:`reports.drivers.drivers`) and ``items``, the round's items (names and texts)."""

    items: pd.DataFrame
    perceptions: pd.DataFrame
    mirror_patterns: pd.DataFrame
    drivers: pd.DataFrame

    @property
    def empty(self) -> bool:
        """True when the round has none of these figures (a v1 round)."""
        return self.perceptions.empty and self.mirror_patterns.empty and self.drivers.empty


@dataclass(frozen=True)
class RoundResults:
    """Every figure of one round for one comparison and filter (see :func:`round_results`)."""

    round_slug: str
    key: str  # the comparison, filter and sections: names these results in the cache
    version: str  # the round's results version they were computed at
    min_group_size: int
    comparison: Comparison
    filters: dict[str, str]
    choices: RoundChoices
    figures: Figures
    thresholds: Thresholds
    participation: Participation | None = None
    leaders: dict[str, GroupComparison] | None = None
    trend: Trend | None = None
    protection: Protection = field(default_factory=Protection)  # how the figures are published
    relations: Relations | None = None


def round_results(
    *,
    round: SurveyRound,
    comparison: Comparison = DEFAULT_COMPARISON,
    filters: Mapping[str, str] | None = None,
    include: Sequence[str] = (),
) -> RoundResults:
    """Every figure of ``round`` that a page or export comparing ``comparison`` under
    ``filters`` may show.

    ``filters``: at most one {column: value} (``level``, ``function`` or a profile
    attribute's name), as :class:`reports.forms.RespondentFilterForm` gives it; ``include``:
    sections beyond the comparison's figures: ``"leaders"`` (leaders versus staff within
    each side; left out under a filter, whose three-way table could give small cells away),
    ``"trend"`` (the comparable rounds and the change since the previous one) and
    ``"participation"`` (read anew each time: invitations change without responses) and
    ``"relations"`` (meta-perceptions, mirror patterns and drivers of the whole round; left
    out under a filter, as leaders are). Each
    section is cached on its own by the round's results version, so pages share what they
    have in common (the dashboard, its dimension pages and gaps.csv share the figures).
    Raises ValueError for an unknown section or more than one filter.
    """
    unknown = set(include) - SECTIONS
    if unknown:
        raise ValueError(f"Unknown sections {sorted(unknown)}; choose from {sorted(SECTIONS)}.")
    filters = dict(filters or {})
    if len(filters) > 1:
        raise ValueError("Apply one filter at a time.")
    filter_key = "&".join(f"{column}={value}" for column, value in sorted(filters.items()))
    comparison_key = f"{comparison.attribute}|{comparison.label_a}|{comparison.label_b}"
    # One read of the version for every section; one read of the answers and items for
    # every section built now.
    version = round_results_version(round=round)
    reads = _Reads(round)

    def cached(part: str, build: Callable[[], T]) -> T:
        return round_results_cached(round=round, part=part, build=build, version=version)

    choices = round_choices(round=round, version=version)
    figures = cached(
        f"figures|{comparison_key}|{filter_key}",
        lambda: _figures(reads, comparison, filters, choices),
    )
    leaders = None
    if LEADERS in include and not filters:
        leaders = cached("leaders", lambda: _leaders(reads))
    relations = None
    if RELATIONS in include and not filters:
        relations = cached("relations", lambda: _relations(reads))
    trend = None
    if TREND in include:
        trend = cached(f"trend|{filter_key}", lambda: _trend(round, filters))
    return RoundResults(
        round_slug=round.slug,
        key=f"{comparison_key}|{filter_key}|{','.join(sorted(include))}",
        version=version,
        min_group_size=round.min_group_size,
        comparison=comparison,
        filters=filters,
        choices=choices,
        participation=round_participation(round=round, protection=round_protection(round))
        if PARTICIPATION in include
        else None,
        figures=figures,
        thresholds=report_thresholds(),
        leaders=leaders,
        trend=trend,
        protection=round_protection(round),
        relations=relations,
    )


class _Reads:
    """The reads of one round that several sections built in one call share, each made
    once, on first use."""

    def __init__(self, survey_round: SurveyRound) -> None:
        self.round = survey_round
        self._answers: dict[tuple[str, ...], pd.DataFrame] = {}
        # Whether the round had any answer before protection (set by the first read).
        self.answered = False

    @functools.cached_property
    def items(self) -> pd.DataFrame:
        return round_items_frame(round=self.round)

    @functools.cached_property
    def attributes(self) -> pd.DataFrame:
        return rounds_attributes_frame(rounds=[self.round])

    def answers(self, extra: tuple[str, ...] = ()) -> pd.DataFrame:
        """The round's Likert answers (with the attribute columns ``extra``): where every
        view starts."""
        if extra not in self._answers:
            self._answers[extra] = round_answers_frame(round=self.round, attributes=extra)
            self.answered = len(self._answers[extra]) > 0
        return self._answers[extra]


def presentation_cached(
    *, round: SurveyRound, results: RoundResults, page: str, build: Callable[[], T]
) -> T:
    """``build()``, the presented part of ``page`` (rows, labels, chart JSON) drawn from
    ``results``, from the cache. Drawing the charts costs more than reading the results, so
    what a page shows is kept too, under the results it presents, the page and the
    language, until the round's responses change."""
    return round_results_cached(
        round=round, part=f"page|{page}|{results.key}", build=build, version=results.version
    )


def _view_answers(reads: _Reads, comparison: Comparison) -> pd.DataFrame:
    """The round's Likert answers, with the column of ``comparison.attribute``."""
    extra = () if comparison.attribute in PROFILE_COLUMNS else (comparison.attribute,)
    return reads.answers(extra)


def _summary_groups(attribute: str, choices: RoundChoices) -> list[str]:
    """The groups of the summary (heatmap) of ``attribute``: every value, in order (a round
    attribute: the values that may be compared)."""
    if attribute == "side":
        return list(SIDE_GROUPS)
    if attribute in PROFILE_CHOICES:
        return list(PROFILE_CHOICES[attribute].values)
    return list(next((a.groups for a in choices.attributes if a.name == attribute), ()))


def _figures(
    reads: _Reads, comparison: Comparison, filters: dict[str, str], choices: RoundChoices
) -> Figures:
    survey_round = reads.round
    k = survey_round.min_group_size
    protection = round_protection(survey_round)
    attributes = reads.attributes if filters else None  # read only when a filter needs it
    answers = selected_answers(_view_answers(reads, comparison), filters, attributes)
    selected, respondents = count_published(answers["response_id"], protection)
    # A view of 1..k−1 respondents (or published below k) shows nothing, filtered or not.
    too_few = selected > 0 and not bool(cell_shown(selected, respondents, k))
    answered = reads.answered
    if too_few:
        return Figures(respondents=0, hidden_groups=frozenset(), too_few=True, answered=answered)
    analysis = round_analysis(
        answers,
        reads.items,
        survey_round.instrument.scale_points,
        k,
        _summary_groups(comparison.attribute, choices),
        comparison=comparison,
        thresholds=report_thresholds(),
        protection=protection,
    )
    hidden = {
        label
        for label, column in (
            (comparison.label_a, "suppressed_a"),
            (comparison.label_b, "suppressed_b"),
        )
        if len(analysis.gaps) and bool(analysis.gaps[column].all())
    }
    groups = [(comparison.label_a, comparison.group_a), (comparison.label_b, comparison.group_b)]
    dont_know = dont_know_shares(
        answers,
        reads.items,
        groups,
        attribute=comparison.attribute,
        min_group_size=k,
        protection=protection,
    )
    return Figures(
        respondents=analysis.respondents,
        hidden_groups=frozenset(hidden),
        too_few=False,
        answered=answered,
        items=analysis.items,
        summary=analysis.summary,
        gaps=analysis.gaps,
        item_gaps=analysis.item_gaps,
        distributions=analysis.distributions,
        mirror_pairs=analysis.mirror_pairs,
        findings=top_findings(analysis.gaps),
        alignment_index=analysis.alignment_index,
        dont_know=dont_know,
    )


def _relations(reads: _Reads) -> Relations:
    """Meta-perceptions, mirror patterns and drivers of the whole round, IT and Security."""
    survey_round = reads.round
    answers, items = reads.answers(), reads.items
    points, k = survey_round.instrument.scale_points, survey_round.min_group_size
    protection = round_protection(survey_round)
    likert = likert_items(items).reset_index(drop=True)
    panel = Panel(score_items(answers, likert, points), likert, points, protection=protection)
    return Relations(
        items=items,
        perceptions=meta_perceptions(
            answers, items, points, min_group_size=k, protection=protection
        ),
        mirror_patterns=mirror_patterns(
            answers,
            items,
            points,
            gap_floor=report_thresholds().gap_points,
            min_group_size=k,
            protection=protection,
        ),
        drivers=drivers(panel, answers, items, min_group_size=k),
    )


def _leaders(reads: _Reads) -> dict[str, GroupComparison]:
    return leaders_versus_staff(
        reads.answers(),
        reads.items,
        reads.round.instrument.scale_points,
        reads.round.min_group_size,
        thresholds=report_thresholds(),
        protection=round_protection(reads.round),
    )


def _round_labels(rounds: list[SurveyRound]) -> dict[int, str]:
    """Display label per round: its name, or "name (slug)" where names repeat."""
    names = [r.name for r in rounds]
    return {r.pk: r.name if names.count(r.name) == 1 else f"{r.name} ({r.slug})" for r in rounds}


def _trend(survey_round: SurveyRound, filters: dict[str, str]) -> Trend:
    """The comparable rounds that have answers (this one always), each protected and
    filtered as its own dashboard is, compared IT against Security on the items they share.
    Four queries."""
    rounds = instrument_rounds(round=survey_round)
    items = rounds_items_frame(rounds=rounds)
    answers = rounds_answers_frame(rounds=rounds)
    attributes = rounds_attributes_frame(rounds=rounds)
    # A round nobody answered is no point of comparison.
    answered = set(answers["round_id"].unique())
    rounds = [r for r in rounds if r.pk in answered or r.pk == survey_round.pk]
    labels = _round_labels(rounds)
    trend_rounds = []
    for round_ in rounds:
        own = answers.loc[answers["round_id"] == round_.pk].drop(columns="round_id")
        own_attributes = attributes.loc[attributes["response_id"].isin(own["response_id"])]
        own = selected_answers(own, filters, own_attributes)
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
                protection=round_protection(round_),
            )
        )
    shared = shared_items([r.items for r in trend_rounds])
    thresholds = report_thresholds()
    table = trend_table(trend_rounds, shared, thresholds=thresholds) if not shared.empty else None
    change, change_names = None, {}
    if len(trend_rounds) >= 2:
        previous, current = trend_rounds[-2:]
        change = round_change(previous, current, thresholds=thresholds)
        change_names = dimension_names(shared_items([previous.items, current.items]))
    return Trend(
        rounds=[(r.key, r.label) for r in trend_rounds],
        versions=len({r.instrument_id for r in rounds}),
        shared_items=shared,
        table=table,
        change=change,
        change_names=change_names,
    )


def rounds_overview() -> list[tuple[SurveyRound, int | None]]:
    """Every round, newest first, with its published number of responses, or None where it
    reads "fewer than k" (:func:`reports.disclosure.published_total`, the rule of every
    count). Two queries."""
    rounds = rounds_with_counts()
    ids = rounds_response_ids(rounds=rounds)
    return [
        (r, published_total(ids.get(r.pk, []), r.min_group_size, round_protection(r)))
        for r in rounds
    ]


@dataclass(frozen=True)
class Comments:
    """The comments of one dimension as they may be shown: ``lists`` (each a pair of the
    sides' codes, empty for every side together, and the texts; none unless enough people
    wrote one), ``texts`` (every text shown, the lists together) and ``words``, the words
    that recur across them (:func:`reports.findings.recurring_words`: ``word``,
    ``comments``)."""

    lists: list[tuple[tuple[str, ...], list[str]]]
    texts: list[str]
    words: pd.DataFrame


def round_comments(
    *, round: SurveyRound, dimension_code: str, version: str | None = None
) -> Comments:
    """The comments of one dimension as they may be shown (cached): none unless at least
    :func:`reports.parameters.comment_threshold` respondents wrote one, split by side once
    the round has closed (:func:`reports.disclosure.dimension_comments`: while it is open
    the lists would change from one day to the next, and two days' lists could be
    subtracted), with their recurring words. Callers shuffle the texts on every request, so
    the order says nothing of who wrote when. ``version``: the round's results version when
    the caller has read it already."""
    threshold = comment_threshold(round=round)
    by_side = round.closes_at is not None and not round.is_open()

    def build() -> Comments:
        frame = round_comments_frame(round=round, dimension_code=dimension_code)
        lists = [
            (shown.sides, list(shown.comments["text"]))
            for shown in dimension_comments(frame, threshold, by_side=by_side)
        ]
        texts = [text for _sides, part in lists for text in part]
        return Comments(lists=lists, texts=texts, words=recurring_words(texts))

    return round_results_cached(
        round=round,
        part=f"comments|{dimension_code}|{'sides' if by_side else 'all'}",
        version=version,
        build=build,
    )
