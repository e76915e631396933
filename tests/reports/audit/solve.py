"""The attacker of the disclosure audit: integer programs over every published figure.

Each published count is a linear constraint over non-negative integer *atoms* (the cells of
the finest cross-classification of respondents, and any other counted unit such as unused
invitations): an exact count is an equality, a perturbed one the interval of its published
bound. For every small group (1..k−1 respondents in truth) two MILPs
(``scipy.optimize.milp``, HiGHS) find the least and the most respondents the figures allow
it. A group is *recovered* when its count is pinned (min == max) or bounded to 1..k−1.

The mean attack, on every small group and measure, by an attacker handed every true count
(far stronger than the counts allow): a continuous score sum per atom (0..100 points a
respondent, so 0 <= sum <= 100 × count) enters every published mean m of n respondents as
m_low × n − S <= sum <= m_high × n + S, where m_low..m_high is the mean as written (its
rounding) and S the published bound of the perturbation of a sum (0 when exact); two linear
programs bound the group's sum, hence its mean. It is recovered when the attacker can state
it to within ±10 points (an interval no wider than 20).

Pure: no Django; the audit's collection (:mod:`tests.reports.audit.collect`) builds the
figures through the product.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array, vstack

Key = Hashable
# No count is larger than this: a variable no figure bounds has this as its maximum.
COUNT_CEILING = 1_000_000
SCORE_MAX = 100.0  # a respondent's score on a dimension or statement, in points
MEAN_TOLERANCE = 10.0  # a mean stated to within ±10 points is recovered
# Slack on a published sum: n × mean in floating point is not exactly the integer program's.
SUM_SLACK = 1e-6
INTEGER_SLACK = 1e-6


@dataclass(frozen=True)
class Figure:
    """One published count, as a constraint.

    ``atoms``: the variables it counts; their sum lies in ``count_low..count_high`` (equal
    for an exact count). ``measure``: a dimension or statement code when the figure
    counts only the respondents with a score on it (None: every respondent of ``atoms``);
    ``mean``: (low, high) of the published mean of those respondents' scores on
    ``measure`` as written (its rounding), or None; ``sum_bound``: the published bound of
    the perturbation of their sum of scores, in points (0: the mean is exact but for its
    rounding); ``published``: the count as printed, when it was; ``keyed``: the records
    whose keys moved it ("response", or "invitation" for the participation counts of
    invitations): only figures keyed alike must agree when they count the same people.
    """

    source: str
    description: str
    atoms: frozenset[Key]
    count_low: int
    count_high: int
    measure: str | None = None
    mean: tuple[float, float] | None = None
    sum_bound: float = 0.0
    published: int | None = None  # the count as printed (None: an interval such as "< k")
    keyed: str = "response"


@dataclass(frozen=True)
class Group:
    """A set of atoms whose count the attacker tries to work out, and its true count."""

    description: str
    atoms: frozenset[Key]
    truth: int


@dataclass(frozen=True)
class Problem:
    """What the attacker reads (``figures``) and the truth the audit checks them against.

    ``truth``: every variable's true count (atoms included when empty: the attacker does
    not know they are); ``incomplete``: measures some respondent has no score on (their
    counts get variables of their own, at most the atom's count); ``measure_truth``:
    {measure: {atom: (respondents with a score, sum of their scores)}}.
    """

    figures: Sequence[Figure]
    truth: Mapping[Key, int]
    incomplete: frozenset[str] = frozenset()
    measure_truth: Mapping[str, Mapping[Key, tuple[int, float]]] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupBounds:
    """The least and most respondents the figures allow ``group`` (``exact``: both solved).

    Not ``exact``: a solution found earlier already gives the group 0 or at least k
    respondents, so it cannot be recovered; ``low``..``high`` is then the range seen among
    the solutions found, inside the true range.
    """

    group: Group
    low: int
    high: int
    exact: bool = True

    def recovered(self, min_group_size: int) -> bool:
        """Pinned, or bounded to 1..k−1 (known to be a small, non-empty group)."""
        if not self.exact:
            return False
        return self.low == self.high or (self.low >= 1 and self.high <= min_group_size - 1)


@dataclass(frozen=True)
class MeanBounds:
    """The interval the figures allow a pinned group's mean on ``measure`` (points)."""

    group: Group
    measure: str
    n: int
    low: float
    high: float
    truth: float

    @property
    def estimate(self) -> float:
        return (self.low + self.high) / 2

    @property
    def recovered(self) -> bool:
        return self.high - self.low <= 2 * MEAN_TOLERANCE + 1e-9


@dataclass(frozen=True)
class AuditReport:
    """What the attacker achieved: every group tried with its bounds, those recovered, and
    the means worked out to within ±10 points."""

    min_group_size: int
    constraints: int
    tried: list[GroupBounds]
    means: list[MeanBounds]
    seconds: float

    @property
    def recovered(self) -> list[GroupBounds]:
        return [b for b in self.tried if b.recovered(self.min_group_size)]

    @property
    def means_recovered(self) -> list[MeanBounds]:
        return [m for m in self.means if m.recovered]

    def summary(self) -> str:
        """The audit's numbers and what it recovered, one line each (for failure messages)."""
        lines = [
            f"k={self.min_group_size}: {len(self.tried)} small groups tried, "
            f"{len(self.recovered)} recovered, {len(self.means_recovered)} means within "
            f"±{MEAN_TOLERANCE:g} of {len(self.means)} tried; {self.constraints} constraints, "
            f"{self.seconds:.1f} s"
        ]
        lines += [
            f"  recovered {b.group.description}: truth {b.group.truth}, bounds {b.low}..{b.high}"
            for b in self.recovered
        ]
        lines += [
            f"  mean of {m.group.description} on {m.measure} (n={m.n}): {m.low:.1f}..{m.high:.1f},"
            f" truth {m.truth:.1f}"
            for m in self.means_recovered
        ]
        return "\n".join(lines)


def cross_groups(
    truth: Mapping[tuple[str, ...], int],
    fields: Sequence[str],
    min_group_size: int,
    pools: Mapping[str, Sequence[tuple[str, ...]]] | None = None,
) -> list[Group]:
    """The small groups (1..k−1 respondents) a reader could aim at in a cross-classification.

    ``truth``: {atom: count}, atoms being tuples of values of ``fields`` (every atom of the
    domain, empty ones too). Groups: every atom; every value of one field (a group of a
    comparison); every pair of values of two fields (a group of a comparison under a filter);
    and every pool of ``pools`` ({field: pooled values}, e.g. leaders), alone and under each
    value of another field. Only those holding 1..k−1 respondents, each atom set once.
    """
    atoms = list(truth)
    values = [sorted({atom[i] for atom in atoms}) for i in range(len(fields))]
    # Selections: (description, predicate over an atom).
    selections: list[tuple[str, Callable[[tuple[str, ...]], bool]]] = []
    singles: list[tuple[str, int, frozenset[str]]] = [
        (f"{fields[i]}={value or '(blank)'}", i, frozenset({value}))
        for i in range(len(fields))
        for value in values[i]
    ]
    for name, pooled in (pools or {}).items():
        if name in fields:
            i = list(fields).index(name)
            singles += [(f"{name}={'+'.join(pool)}", i, frozenset(pool)) for pool in pooled]
    for label, i, allowed in singles:
        selections.append((label, lambda a, i=i, allowed=allowed: a[i] in allowed))
    for (label_1, i, one), (label_2, j, two) in itertools.combinations(singles, 2):
        if i != j:
            selections.append(
                (
                    f"{label_1} & {label_2}",
                    lambda a, i=i, j=j, one=one, two=two: a[i] in one and a[j] in two,
                )
            )
    for atom in atoms:
        label = " & ".join(f"{f}={v or '(blank)'}" for f, v in zip(fields, atom, strict=True))
        selections.append((f"cell {label}", lambda a, atom=atom: a == atom))
    groups: dict[frozenset[Key], Group] = {}
    for label, chosen in selections:
        members = frozenset(atom for atom in atoms if chosen(atom))
        n = sum(truth[atom] for atom in members)
        if 1 <= n < min_group_size and members not in groups:
            groups[members] = Group(label, members, n)
    return list(groups.values())


@dataclass(frozen=True)
class _Scored:
    """The variable of the respondents of ``atom`` with a score on ``measure``."""

    measure: str
    atom: Key


class _System:
    """The figures as one sparse system over the count variables (atoms, and per-measure
    counts of the incomplete measures), checked against the truth."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        keys: dict[Key, None] = dict.fromkeys(problem.truth)
        for figure in problem.figures:
            unknown = figure.atoms - keys.keys()
            if unknown:
                raise ValueError(f"{figure.description}: no truth for {sorted(map(str, unknown))}")
        self.index = {key: i for i, key in enumerate(keys)}
        truth = [problem.truth[key] for key in keys]
        # Respondents with a score on an incomplete measure: a variable per (measure, atom).
        for measure in sorted(problem.incomplete):
            for atom, (n, _sum) in problem.measure_truth.get(measure, {}).items():
                self.index[_Scored(measure, atom)] = len(truth)
                truth.append(n)
        self.truth = np.asarray(truth, dtype="float64")
        # Counts are whole numbers; a measure's counts are continuous (a relaxation: whole
        # numbers there cost three times the time and, on the demo, change no verdict).
        self.integrality = np.zeros(len(truth))
        self.integrality[: len(problem.truth)] = 1
        # One row per distinct set of variables: the tightest interval published for it, and
        # the first figure that published it (to name it when it disagrees with the truth).
        rows: dict[tuple, tuple[int, int, str]] = {}
        for figure in problem.figures:
            terms = tuple(sorted(self.terms(figure.atoms, figure.measure).items()))
            if not terms:
                continue
            low, high, first = rows.get(
                terms, (figure.count_low, figure.count_high, figure.description)
            )
            rows[terms] = (max(low, figure.count_low), min(high, figure.count_high), first)
        rows.update(_differing(problem.figures, self))
        self.rows = rows
        links = [
            ((self.index[_Scored(measure, atom)], 1.0), (self.index[atom], -1.0))
            for measure in sorted(problem.incomplete)
            for atom in problem.measure_truth.get(measure, {})
        ]
        self.matrix = _sparse([*rows, *links], len(self.index))
        self.low = np.array([lo for lo, _hi, _f in rows.values()] + [-np.inf] * len(links))
        self.high = np.array([hi for _lo, hi, _f in rows.values()] + [0.0] * len(links))
        self._check()

    def terms(self, atoms: Iterable[Key], measure: str | None) -> dict[int, float]:
        """{variable: coefficient 1} of the respondents of ``atoms`` (with ``measure``)."""
        if measure is not None and measure in self.problem.incomplete:
            return {self.index[_Scored(measure, atom)]: 1.0 for atom in atoms}
        return {self.index[atom]: 1.0 for atom in atoms}

    def _check(self) -> None:
        """The truth must satisfy every figure, or the collection misread one."""
        values = self.matrix @ self.truth
        bad = np.flatnonzero((values < self.low - 1e-9) | (values > self.high + 1e-9))
        if bad.size:
            first = bad[0]
            described = [f for _lo, _hi, f in self.rows.values()]
            raise AssertionError(
                f"{bad.size} published counts disagree with the truth (first: "
                f"{described[first] if first < len(described) else 'a link'}: truth "
                f"{values[first]:g}, published {self.low[first]:g}..{self.high[first]:g})"
            )
        for figure in self.problem.figures:
            if figure.mean is None:
                continue
            truth = self.problem.measure_truth[figure.measure]
            total = sum(truth[atom][1] for atom in figure.atoms)
            n = sum(truth[atom][0] for atom in figure.atoms)
            low, high = figure.mean
            slack = figure.sum_bound + _slack(total)
            if not (total - low * n >= -slack and total - high * n <= slack):
                raise AssertionError(
                    f"{figure.description}: published mean {low:g}..{high:g} ±"
                    f"{figure.sum_bound:g}/n, truth {total / n if n else float('nan'):g} (n={n})"
                )

    @property
    def size(self) -> int:
        return len(self.index)


def _differing(figures: Sequence[Figure], system: _System) -> dict[tuple, tuple[int, int, str]]:
    """What the attacker learns from figures that differ: the same respondents always get the
    same figures, so where a set of variables nested in another publishes another count, or
    another mean on the same measure, the variables between them hold at least one
    respondent. One row (sum >= 1) per such difference of sets."""
    counts: dict[frozenset[int], set[tuple[str, int]]] = {}
    means: dict[frozenset[int], dict[str, tuple[float, float]]] = {}
    for figure in figures:
        key = frozenset(system.terms(figure.atoms, figure.measure))
        if not key:
            continue
        if figure.published is not None:
            counts.setdefault(key, set()).add((figure.keyed, figure.published))
        if figure.mean is not None and figure.measure is not None:
            means.setdefault(key, {})[figure.measure] = figure.mean
    keys = sorted(set(counts) | set(means), key=len)
    rows: dict[tuple, tuple[int, int, str]] = {}
    for i, inner in enumerate(keys):
        for outer in keys[i + 1 :]:
            if len(outer) <= len(inner) or not inner < outer:
                continue
            differ = any(
                published != other
                for keyed, published in counts.get(inner, ())
                for keyed_other, other in counts.get(outer, ())
                if keyed == keyed_other
            )
            shared = means.get(inner, {}).keys() & means.get(outer, {}).keys()
            differ = differ or any(
                means[inner][m][1] < means[outer][m][0] or means[outer][m][1] < means[inner][m][0]
                for m in shared
            )
            if differ:
                terms = tuple((v, 1.0) for v in sorted(outer - inner))
                rows.setdefault(terms, (1, COUNT_CEILING, "figures differ, so sets differ"))
    return rows


def _slack(value: float) -> float:
    return SUM_SLACK * max(1.0, abs(value))


def _sparse(rows: Sequence[tuple[tuple[int, float], ...]], columns: int) -> csr_array:
    data = [value for row in rows for _i, value in row]
    row_of = [r for r, row in enumerate(rows) for _ in row]
    column_of = [i for row in rows for i, _value in row]
    return coo_array((data, (row_of, column_of)), shape=(len(rows), columns)).tocsr()


def _optimum(
    objective: np.ndarray,
    matrix: csr_array,
    low: np.ndarray,
    high: np.ndarray,
    integrality: np.ndarray,
    upper: np.ndarray,
) -> tuple[float, np.ndarray]:
    """min objective·v over the system, and a v attaining it."""
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, low, high),
        integrality=integrality,
        bounds=Bounds(np.zeros(len(objective)), upper),
    )
    if result.status != 0:
        raise RuntimeError(f"The integer program failed: {result.message}")
    return float(result.fun), result.x


def _integer_range(low: float, high: float) -> tuple[int, int]:
    """The whole numbers of low..high (an optimum of continuous variables may be fractional)."""
    return math.ceil(low - INTEGER_SLACK), math.floor(high + INTEGER_SLACK)


def _witness(system: _System, columns: list[int], min_group_size: int) -> np.ndarray | None:
    """A solution of the figures giving the group of ``columns`` 0 respondents, else one
    giving it at least k, else None: two feasibility problems (no objective, so the solver
    stops at the first solution), much faster than the two optimisations they stand for."""
    row = _sparse([tuple((i, 1.0) for i in columns)], system.size)
    matrix = vstack([system.matrix, row]).tocsr()
    upper = np.full(system.size, float(COUNT_CEILING))
    for low, high in ((0.0, 0.0), (float(min_group_size), np.inf)):
        result = milp(
            np.zeros(system.size),
            constraints=LinearConstraint(
                matrix, np.append(system.low, low), np.append(system.high, high)
            ),
            integrality=system.integrality,
            bounds=Bounds(np.zeros(system.size), upper),
        )
        if result.status == 0:
            return result.x
    return None


def count_bounds(
    system: _System, atoms: Iterable[Key], measure: str | None = None
) -> tuple[int, int, list[np.ndarray]]:
    """The least and most respondents of ``atoms`` (with ``measure``) the figures allow, and
    the two solutions that attain them."""
    objective = np.zeros(system.size)
    for i, coefficient in system.terms(atoms, measure).items():
        objective[i] = coefficient
    upper = np.full(system.size, float(COUNT_CEILING))
    args = (system.matrix, system.low, system.high, system.integrality, upper)
    low, least = _optimum(objective, *args)
    high, most = _optimum(-objective, *args)
    return *_integer_range(low, -high), [least, most]


class _MeanSystem:
    """The published means of one measure as a linear program over a continuous score sum
    per atom, every atom's count given at its truth (the attacker knows every count)."""

    def __init__(self, system: _System, measure: str) -> None:
        problem = system.problem
        truth = problem.measure_truth.get(measure, {})
        self.atoms = list(truth)
        self.index = {atom: i for i, atom in enumerate(self.atoms)}
        counts = np.array([truth[atom][0] for atom in self.atoms], dtype="float64")
        self.upper = counts * SCORE_MAX
        # One row per distinct set of atoms: the tightest interval published for its sum.
        intervals: dict[tuple[int, ...], tuple[float, float]] = {}
        for figure in problem.figures:
            if figure.measure != measure or figure.mean is None:
                continue
            members = [atom for atom in figure.atoms if atom in self.index]
            n = sum(truth[atom][0] for atom in members)
            if not members or n == 0:
                continue
            mean_low, mean_high = figure.mean
            slack = figure.sum_bound + SUM_SLACK * SCORE_MAX * n
            key = tuple(sorted(self.index[atom] for atom in members))
            low, high = intervals.get(key, (-np.inf, np.inf))
            intervals[key] = (max(low, mean_low * n - slack), min(high, mean_high * n + slack))
        rows = [tuple((i, 1.0) for i in key) for key in intervals]
        self.matrix = _sparse(rows, len(self.atoms)) if rows else None
        self.low = np.array([low for low, _high in intervals.values()])
        self.high = np.array([high for _low, high in intervals.values()])

    def bounds(self, group: Group, n: int) -> tuple[float, float]:
        """The least and most mean of ``group`` (n respondents with a score) the figures
        allow, in points."""
        objective = np.zeros(len(self.atoms))
        for atom in group.atoms:
            if atom in self.index:
                objective[self.index[atom]] = 1.0
        if self.matrix is None:
            return 0.0, SCORE_MAX
        args = (self.matrix, self.low, self.high, np.zeros(len(self.atoms)), self.upper)
        least, _solution = _optimum(objective, *args)
        most, _solution = _optimum(-objective, *args)
        return least / n, -most / n


def audit(
    problem: Problem,
    groups: Sequence[Group],
    min_group_size: int,
    *,
    sources: Callable[[str], bool] | None = None,
    exact: bool = True,
    measures: Sequence[str] | None = None,
) -> AuditReport:
    """Bound every group of ``groups`` by the figures of ``problem`` (only those whose
    source ``sources`` accepts, when given), and the mean of every group, handed its true
    count, on every measure some figure publishes a mean of.

    ``exact=False`` skips the two integer programs of a group that a solution found earlier
    already gives 0 or at least k respondents (it cannot be recovered), and otherwise looks
    first for one solution giving it 0, or at least k (:func:`_witness`): the same
    verdicts, in a fraction of the time on a large round, with the count of a solution
    instead of the bounds. Only a group with no such solution is bounded in full.
    ``measures``: the dimensions and statements whose means are attacked (default: every
    one some figure publishes a mean of).
    """
    started = time.perf_counter()
    if sources is not None:
        problem = Problem(
            figures=[f for f in problem.figures if sources(f.source)],
            truth=problem.truth,
            incomplete=problem.incomplete,
            measure_truth=problem.measure_truth,
        )
    system = _System(problem)
    solutions: list[np.ndarray] = []
    tried = []
    for group in groups:
        columns = list(system.terms(group.atoms, None))
        seen = [round(float(solution[columns].sum())) for solution in solutions]
        if not exact and any(n == 0 or n >= min_group_size for n in seen):
            tried.append(GroupBounds(group, min(seen), max(seen), exact=False))
            continue
        if not exact:
            witness = _witness(system, columns, min_group_size)
            if witness is not None:
                solutions.append(witness)
                n = round(float(witness[columns].sum()))
                tried.append(GroupBounds(group, n, n, exact=False))
                continue
        low, high, found = count_bounds(system, group.atoms)
        solutions += found
        tried.append(GroupBounds(group, low, high))
    if measures is None:
        measures = sorted({f.measure for f in problem.figures if f.mean is not None} - {None})
    means = []
    mean_systems = {measure: _MeanSystem(system, measure) for measure in measures}
    for bounds in tried:
        for measure in measures:
            truth = problem.measure_truth.get(measure, {})
            n_true = sum(truth.get(atom, (0, 0.0))[0] for atom in bounds.group.atoms)
            if n_true == 0:
                continue
            low, high = mean_systems[measure].bounds(bounds.group, n_true)
            total = sum(truth.get(atom, (0, 0.0))[1] for atom in bounds.group.atoms)
            means.append(MeanBounds(bounds.group, measure, n_true, low, high, total / n_true))
    return AuditReport(
        min_group_size=min_group_size,
        constraints=len(system.rows),
        tried=tried,
        means=means,
        seconds=time.perf_counter() - started,
    )


def sources_needed(problem: Problem, group: Group, min_group_size: int) -> list[str]:
    """The sources without which ``group`` would no longer be recovered (each left out in
    turn): where a leak comes from. Empty when no single source is indispensable."""
    needed = []
    for source in sorted({f.source for f in problem.figures}):
        report = audit(problem, [group], min_group_size, sources=lambda s, left=source: s != left)
        if not report.recovered:
            needed.append(source)
    return needed
