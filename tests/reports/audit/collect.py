"""Every figure the product publishes for a round, read through its own entry points and
turned into constraints over the round's atoms: the attacker's reading of a round.

Reading the results objects is reading the pages: every leader page, CSV download and
``export_csv`` presents what :mod:`reports.results` returns (``round_results``,
``rounds_overview``, ``round_export``), and the staff round page what
``survey.participation.round_participation`` returns (as the leaders' participation table
does, through ``round_results``); presenters and templates add
labels and charts drawn from those numbers, never a number of their own.

What is read, for any round (nothing here knows how it was planted):

- ``round_results`` for every comparison the comparison form offers (side, level, function
  and each round attribute with at least two groups: every pair of values, or each value
  against the first when that would be more than ``max_pairs``; pooled leaders against
  individual contributors), each with no filter and with every single value the filter form
  offers; with ``leaders`` and ``trend`` where a page asks for them, and ``participation``;
- ``rounds_overview`` (the round list), the staff round page's participation table, and
  summary.csv and every comparison's gaps.csv through ``round_export``.

Every published count (a summary row's ``n``, a gaps, item or mirror row's ``n_a``/``n_b``, a
distribution's ``n``, the figures' ``respondents``, participation counts and totals, the
round list's count, a trend row's ``n_a``/``n_b``) becomes a :class:`~tests.reports.audit.
solve.Figure` over the *atoms*: the cells of side × function × level × each attribute of
the round (blank is a value of its own), every combination of the values present, empty
ones included. A published mean becomes the score sum ``n × mean`` of the same respondents.
A perturbed count (a method that publishes counts with noise of a published bound) enters as
the interval of that bound (``collect(count_bound=...)``; 0 today, every count exact).
"fewer than k" where the product prints it for a count below k (participation) is the
interval 0..k−1; a count hidden for another reason says nothing and is left out.

What the attacker is assumed to know (the strongest attacker, so the audit is
conservative): the disclosure rules, and therefore which groups each view keeps. The
collection learns it from the ground truth (:mod:`tests.reports.audit.truth`): it watches
the answers each analysis receives (``round_analysis``, the leaders' ``compare_groups``, the
trend's ``trend_table``) and reads a value of the side or of the compared attribute none of
whose selected respondents is kept as left out of that view. The domain of every field
(the values present, blank included) and which measures some respondent has no score on are
known too: a dimension or statement every respondent has a score on is counted on the atoms
themselves; an incomplete one gets a count per atom of its own, at most the atom's and not
known to the attacker. Used invitations are linked to respondents by their side (and level,
when the invitations give the respondents' levels), when the truth shows that link holds;
otherwise figures that count used invitations are left out.

Not read: comments and their recurring words, the trend of earlier rounds and the change
since the previous round, favourable percentages, SDs, agreement and reliability indices,
tests and statuses (non-linear), and the per-point counts of the item distributions;
responses.csv (k-anonymised rows, a different model).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import pandas as pd
from django.core.cache import cache

from reports import findings as findings_module
from reports import results as results_module
from reports.choices import round_choices
from reports.downloads import round_export
from reports.forms import (
    ATTRIBUTE_PREFIX,
    ATTRIBUTES,
    POOLED_GROUPS,
    ComparisonForm,
    RespondentFilterForm,
)
from reports.parameters import round_protection
from reports.results import (
    LEADERS,
    PARTICIPATION,
    TREND,
    RoundResults,
    round_results,
    rounds_overview,
)
from reports.vocabulary import ALL_GROUP, LEADERS_VS_STAFF, Comparison
from survey.models import SurveyRound
from survey.participation import round_participation
from tests.reports.audit.solve import Figure, Group, Problem, cross_groups
from tests.reports.audit.truth import Atom, InvitationLink, RoundTruth

CSV_HALF_UNIT = 0.005  # means in the CSV files are rounded to two decimals
MAX_PAIRS = 10
INVITATION_KEYED = "invitation"  # counts of invitations (participation), keyed apart


@dataclass(frozen=True)
class View:
    """One comparison under at most one filter, as shown, beside its true sizes: respondents
    the filter selects and, among them, those of group A and of group B."""

    comparison: Comparison
    filters: dict[str, str]
    empty: bool
    suppressed_a: bool
    suppressed_b: bool
    selected: int
    group_a: int
    group_b: int

    @property
    def description(self) -> str:
        return _view_label(self.comparison, self.filters)


@dataclass(frozen=True)
class Collection:
    """Everything the audit read of one round: the ``problem`` for the solver, the views
    for the utility measure, the atoms' ``fields`` and true counts, and what was left out."""

    round_slug: str
    min_group_size: int
    fields: tuple[str, ...]
    atoms: dict[Atom, int]
    problem: Problem
    views: list[View]
    left_out: list[str] = field(default_factory=list)

    def groups(self, min_group_size: int) -> list[Group]:
        """The small groups to try: every atom, every value of a field, every pair of values
        of two fields and leaders (executives and managers) alone and under each value."""
        return cross_groups(
            self.atoms, self.fields, min_group_size, pools={"level": [LEADERS_VS_STAFF.group_a]}
        )


def _view_label(comparison: Comparison, filters: Mapping[str, str]) -> str:
    label = f"{comparison.attribute} {comparison.label_a} vs {comparison.label_b}"
    if filters:
        ((column, value),) = filters.items()
        label += f" | {column}={value}"
    return label


class _Spy:
    """Watches which respondents the product's analyses receive (passing every call on)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.analysed: list[set[int]] = []
        self.leaders: list[set[int]] = []
        self.trend: list[set[int]] = []

    def reset(self) -> None:
        self.analysed, self.leaders, self.trend = [], [], []

    @contextmanager
    def installed(self) -> Iterator[None]:
        round_analysis = results_module.round_analysis
        compare_groups = findings_module.compare_groups
        trend_table = results_module.trend_table

        def analysis(answers: pd.DataFrame, *args, **kwargs):
            self.analysed.append(_ids(answers))
            return round_analysis(answers, *args, **kwargs)

        def compared(scored: pd.DataFrame, *args, **kwargs):
            self.leaders.append(_ids(scored))
            return compare_groups(scored, *args, **kwargs)

        def trended(rounds, *args, **kwargs):
            self.trend += [_ids(r.answers) for r in rounds if r.key == self.slug]
            return trend_table(rounds, *args, **kwargs)

        with (
            mock.patch.object(results_module, "round_analysis", analysis),
            mock.patch.object(findings_module, "compare_groups", compared),
            mock.patch.object(results_module, "trend_table", trended),
        ):
            yield


def _ids(frame: pd.DataFrame) -> set[int]:
    return {int(i) for i in frame["response_id"].unique()} if len(frame) else set()


class _Collector:
    def __init__(
        self, survey_round: SurveyRound, max_pairs: int, count_bound: int, sum_bound: float
    ) -> None:
        self.round = survey_round
        self.k = survey_round.min_group_size
        self.max_pairs = max_pairs
        self.count_bound = count_bound
        self.sum_bound = sum_bound
        self.truth = RoundTruth(survey_round)
        self.invitations = InvitationLink(self.truth)
        self.figures: list[Figure] = []
        self.views: list[View] = []
        self.left_out: list[str] = []
        self.kept: dict[str, frozenset[Atom]] = {}  # by view label, for the CSV files
        self.spy = _Spy(survey_round.slug)

    # --- Recording --------------------------------------------------------------------------

    def count(
        self,
        source: str,
        description: str,
        atoms: frozenset,
        n: object,
        *,
        measure: str | None = None,
        mean: object = None,
        half_unit: float = 0.0,
        keyed: str = "response",
    ) -> None:
        """Record a published count (skipped when blank) as the interval its perturbation
        bound allows (itself when exact), never below k (a shown cell holds k), and its
        mean as written (``half_unit``: half its rounding unit) with the sum's bound."""
        if n is None or pd.isna(n):
            return
        # Shown, so at least k in truth (the rule of a shown cell): the attacker knows it.
        low = max(0, int(n) - self.count_bound, self.k)
        high = int(n) + self.count_bound
        published_mean = None
        if measure is not None and mean is not None and not pd.isna(mean):
            published_mean = (float(mean) - half_unit, float(mean) + half_unit)
        self.figures.append(
            Figure(
                source,
                description,
                atoms,
                low,
                high,
                measure,
                published_mean,
                self.sum_bound,
                published=int(n),
                keyed=keyed,
            )
        )

    def shown_or_small(
        self,
        source: str,
        description: str,
        atoms: frozenset,
        n: int | None,
        keyed: str = "response",
    ) -> None:
        """A count printed, or None where it reads "fewer than k" (0..k−1+bound)."""
        if n is None:
            self.interval(source, f"{description}: fewer than k", atoms, 0, self.small_high)
        else:
            self.count(source, description, atoms, n, keyed=keyed)

    @property
    def small_high(self) -> int:
        """The most respondents a count reading "fewer than k" may hold (the rule of
        ``reports.disclosure.cell_shown``: a group of 2k is always shown)."""
        return min(self.k - 1 + self.count_bound, 2 * self.k - 1)

    def interval(
        self, source: str, description: str, atoms: frozenset, low: int, high: int
    ) -> None:
        """Record a count published as an interval ("fewer than k": 0..k−1)."""
        self.figures.append(Figure(source, description, atoms, low, high))

    # --- The whole collection ---------------------------------------------------------------

    def run(self) -> Collection:
        cache.clear()  # the choices too are read anew, for this round's k
        choices = round_choices(round=self.round)
        comparisons = self.comparisons(choices)
        filters: list[dict[str, str]] = [{}, *self.filter_offers(choices)]
        with self.spy.installed():
            first = True
            for chosen in filters:
                for number, comparison in enumerate(comparisons):
                    include = []
                    if first:
                        include.append(PARTICIPATION)
                    if not chosen and comparison == LEADERS_VS_STAFF:
                        include.append(LEADERS)
                    if number == 0:
                        include.append(TREND)
                    self.results(comparison, chosen, include)
                    first = False
            self.round_list()
            self.staff_page()
            self.exports(comparisons)
        problem = Problem(
            figures=self.figures,
            truth={**self.truth.atoms, **self.invitations.unused},
            incomplete=self.truth.incomplete,
            measure_truth=self.truth.measure_truth,
        )
        return Collection(
            round_slug=self.round.slug,
            min_group_size=self.k,
            fields=self.truth.fields,
            atoms=dict(self.truth.atoms),
            problem=problem,
            views=self.views,
            left_out=self.left_out,
        )

    def comparisons(self, choices) -> list[Comparison]:
        """Every comparison the comparison form offers, pairs bounded by ``max_pairs``."""
        form = ComparisonForm(attributes=choices.attributes)
        offered: list[tuple[str, list[str]]] = [
            (name, list(choices_of.values)) for name, choices_of in ATTRIBUTES.items()
        ]
        offered += [(name, list(attribute.groups)) for name, attribute in form.extra.items()]
        out: list[Comparison] = []
        for name, values in offered:
            pairs = list(itertools.combinations(values, 2))
            if len(pairs) > self.max_pairs:
                pairs = [(values[0], value) for value in values[1:]]
            out += [Comparison(name, (a,), (b,)) for a, b in pairs]
            for pooled, _label in POOLED_GROUPS.get(name, []):
                out += [
                    Comparison(name, tuple(pooled), (value,))
                    for value in values
                    if value not in pooled
                ]
        return out

    def filter_offers(self, choices) -> list[dict[str, str]]:
        """Every single filter value the filter form offers."""
        form = RespondentFilterForm(attributes=choices.filter_options)
        return [
            {name.removeprefix(ATTRIBUTE_PREFIX): str(value)}
            for name, form_field in form.fields.items()
            for value, _label in form_field.choices
            if value
        ]

    # --- round_results ----------------------------------------------------------------------

    def results(self, comparison: Comparison, filters: dict[str, str], include: list[str]) -> None:
        cache.clear()  # every view computed anew, so the spy sees its analysis
        self.spy.reset()
        results = round_results(
            round=self.round, comparison=comparison, filters=filters, include=include
        )
        label = _view_label(comparison, filters)
        chosen = self.truth.where(**filters) if filters else (lambda _atom: True)
        if self.spy.analysed:
            (answers,) = self.spy.analysed
            kept = self.truth.kept_atoms(answers, chosen, comparison.attribute)
            self.kept[label] = kept
            self.figures_of(f"dashboard {label}", results, kept)
        self.view(results, chosen)
        if results.participation is not None:
            self.participation(results)
        if results.leaders is not None:
            self.leaders(results)
        if results.trend is not None and results.trend.table is not None:
            self.trend(results, chosen, label)

    def figures_of(self, where: str, results: RoundResults, kept: frozenset[Atom]) -> None:
        comparison, figures = results.comparison, results.figures
        a = self.truth.index(comparison.attribute)

        def group(values: Sequence[str]) -> frozenset[Atom]:
            return frozenset(atom for atom in kept if atom[a] in set(values))

        if not figures.too_few and figures.respondents:
            self.count("figures.respondents", f"{where}: respondents", kept, figures.respondents)
        groups_of = {comparison.label_a: comparison.group_a, comparison.label_b: comparison.group_b}
        if figures.summary is not None:
            for row in figures.summary.itertuples(index=False):
                if row.suppressed:
                    continue
                atoms = kept if row.group == ALL_GROUP else group([row.group])
                self.count(
                    "summary",
                    f"{where}: summary {row.dimension_code} {row.group}",
                    atoms,
                    row.n,
                    measure=row.dimension_code,
                    mean=row.score_mean,
                )
        for frame, code, source in (
            (figures.gaps, "dimension_code", "gaps"),
            (figures.item_gaps, "item_code", "item gaps"),
            (figures.mirror_pairs, "item_code", "mirror pairs"),
        ):
            if frame is None:
                continue
            for row in frame.to_dict("records"):
                for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
                    if row[f"suppressed{suffix}"]:
                        continue
                    self.count(
                        source,
                        f"{where}: {source} {row[code]} {'+'.join(values)}",
                        group(values),
                        row[f"n{suffix}"],
                        measure=str(row[code]),
                        mean=row[f"score{suffix}"],
                    )
        if figures.distributions is not None:
            shown = figures.distributions.loc[~figures.distributions["suppressed"].astype(bool)]
            for (item, label), part in shown.groupby(["item_code", "group"], sort=False):
                self.count(
                    "distributions",
                    f"{where}: distribution {item} {label}",
                    group(groups_of[str(label)]),
                    part["n"].iloc[0],
                    measure=str(item),
                )

    def view(self, results: RoundResults, chosen: Callable[[Atom], bool]) -> None:
        comparison, gaps = results.comparison, results.figures.gaps
        selected = [self.truth.profile[pk] for pk in self.truth.respondents_where(chosen)]
        a = self.truth.index(comparison.attribute)
        no_gaps = gaps is None or gaps.empty
        self.views.append(
            View(
                comparison=comparison,
                filters=dict(results.filters),
                empty=results.figures.empty,
                suppressed_a=no_gaps or bool(gaps["suppressed_a"].any()),
                suppressed_b=no_gaps or bool(gaps["suppressed_b"].any()),
                selected=len(selected),
                group_a=sum(p[a] in comparison.group_a for p in selected),
                group_b=sum(p[a] in comparison.group_b for p in selected),
            )
        )

    def leaders(self, results: RoundResults) -> None:
        if len(self.spy.leaders) != len(results.leaders):
            raise AssertionError("The leaders' comparisons were not all seen.")
        level = self.truth.index("level")
        for (side, compared), answers in zip(
            results.leaders.items(), self.spy.leaders, strict=True
        ):
            kept = self.truth.kept_atoms(answers, self.truth.where(side=side), "level")
            for frame, code, source in (
                (compared.dimensions, "dimension_code", "leaders"),
                (compared.items, "item_code", "leaders items"),
            ):
                for row in frame.to_dict("records"):
                    for suffix, values in (
                        ("_a", compared.comparison.group_a),
                        ("_b", compared.comparison.group_b),
                    ):
                        if row[f"suppressed{suffix}"]:
                            continue
                        self.count(
                            source,
                            f"executive summary: {side} {source} {row[code]} {'+'.join(values)}",
                            frozenset(atom for atom in kept if atom[level] in values),
                            row[f"n{suffix}"],
                            measure=str(row[code]),
                            mean=row[f"score{suffix}"],
                        )

    def trend(self, results: RoundResults, chosen: Callable[[Atom], bool], label: str) -> None:
        (answers,) = self.spy.trend
        kept = self.truth.kept_atoms(answers, chosen, "side")
        side = self.truth.index("side")
        table = results.trend.table
        own = table.loc[table["round"] == self.round.slug]
        comparison = results_module.DEFAULT_COMPARISON
        for row in own.to_dict("records"):
            for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
                if row[f"suppressed{suffix}"]:
                    continue
                self.count(
                    "trend",
                    f"trend {label}: {row['dimension_code']} {'+'.join(values)}",
                    frozenset(atom for atom in kept if atom[side] in values),
                    row[f"n{suffix}"],
                    measure=str(row["dimension_code"]),
                    mean=row[f"score{suffix}"],
                )

    # --- Participation and the round list ---------------------------------------------------

    def participation(self, results: RoundResults) -> None:
        """The participation table of the dashboard and executive summary: by side, as on
        the staff round page (one function computes both)."""
        shown = results.participation
        self.participation_table("participation", shown.side_rows, "side", shown.total_row)

    def participation_table(
        self, source: str, rows: list[dict], name: str, total: dict | None = None
    ) -> None:
        """One table of ``survey.participation`` (rows by ``name``: side or level; the
        round's ``total`` row when printed): invited as and completed, invited as count
        invitations by the value written on them (keyed by the invitations), answered as
        counts responses by the side chosen (keyed by the responses); "fewer than k" is
        0..k−1+bound."""
        truth, invitations = self.truth, self.invitations
        for row in [*rows, *([total] if total else [])]:
            cell = {} if row is total else {name: row["group"]}
            label = "total" if row is total else f"{name}={row['group']}"
            if row["answered_applies"]:
                atoms = truth.atoms_where(truth.where(**cell))
                self.shown_or_small(source, f"answered {label}", atoms, row["answered"])
            used = invitations.used(**cell)
            if used is None:
                self.left_out.append(f"{source}: invited {label} (invitations not linked)")
                continue
            self.shown_or_small(
                source,
                f"invited {label}",
                used | invitations.unused_cells(**cell),
                row["invited"],
                INVITATION_KEYED,
            )
            self.shown_or_small(
                source, f"completed {label}", used, row["completed"], INVITATION_KEYED
            )

    def round_list(self) -> None:
        for survey_round, count in rounds_overview():
            if survey_round.pk == self.round.pk and count is not None:
                self.count("round list", "responses", frozenset(self.truth.atoms), count)

    def staff_page(self) -> None:
        """The staff round page: its tables by side (with the round's total) and by level."""
        shown = round_participation(round=self.round)
        self.participation_table("staff page", shown.side_rows, "side", shown.total_row)
        self.participation_table("staff page", shown.level_rows, "level")

    # --- CSV files --------------------------------------------------------------------------

    def exports(self, comparisons: Sequence[Comparison]) -> None:
        """summary.csv (the side comparison) and gaps.csv of every comparison, as downloaded."""
        default = results_module.DEFAULT_COMPARISON
        kept = self.kept.get(_view_label(default, {}))
        if kept is not None:
            side = self.truth.index("side")
            for row in _csv_rows(round_export(round=self.round, kind="summary")):
                atoms = (
                    kept
                    if row["group"] == ALL_GROUP
                    else frozenset(atom for atom in kept if atom[side] == row["group"])
                )
                self.count(
                    "summary.csv",
                    f"summary.csv {row['dimension_code']} {row['group']}",
                    atoms,
                    _number(row["n"]),
                    measure=row["dimension_code"],
                    mean=_number(row["score_mean"]),
                    half_unit=CSV_HALF_UNIT,
                )
        for comparison in comparisons:
            kept = self.kept.get(_view_label(comparison, {}))
            if kept is None:
                continue
            a = self.truth.index(comparison.attribute)
            cache.clear()
            rows = _csv_rows(round_export(round=self.round, kind="gaps", comparison=comparison))
            for row in rows:
                for suffix, values in (("_a", comparison.group_a), ("_b", comparison.group_b)):
                    self.count(
                        "gaps.csv",
                        f"gaps.csv {_view_label(comparison, {})}: {row['dimension_code']} "
                        f"{'+'.join(values)}",
                        frozenset(atom for atom in kept if atom[a] in values),
                        _number(row[f"n{suffix}"]),
                        measure=row["dimension_code"],
                        mean=_number(row[f"score{suffix}"]),
                        half_unit=CSV_HALF_UNIT,
                    )


def _csv_rows(chunks: Iterator[bytes]) -> list[dict[str, str]]:
    text = b"".join(chunks).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def collect(*, round: SurveyRound, max_pairs: int = MAX_PAIRS) -> Collection:
    """Every figure the product publishes for ``round`` (see the module's docstring), read
    with the round's own k as it is passed (a copy with a lower k reads a weaker product)
    and the bounds the product publishes (``reports.parameters.round_protection``: 0 when the
    settings make figures exact): a count n enters as max(k, n − bound)..n + bound, a mean
    as the pair of linear constraints of :mod:`tests.reports.audit.solve`.
    """
    protection = round_protection(round)
    return _Collector(round, max_pairs, protection.count_bound, protection.sum_bound).run()
