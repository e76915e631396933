"""The audit's attacker on tiny hand-made systems: what it must recover and what it must not."""

from __future__ import annotations

import pytest

from tests.reports.audit.solve import (
    COUNT_CEILING,
    Figure,
    Group,
    GroupBounds,
    Problem,
    audit,
    cross_groups,
    sources_needed,
)

K = 5
TRUTH = {"a": 10, "b": 10, "c": 1}
SCORES = {"a": 600.0, "b": 400.0, "c": 90.0}  # score sums on dimension "d"


def exact(atoms: str, n: int, source: str = "page", **kwargs) -> Figure:
    return Figure(source, f"{atoms} = {n}", frozenset(atoms), n, n, **kwargs)


def interval(atoms: str, low: int, high: int, source: str = "page") -> Figure:
    return Figure(source, f"{atoms} in {low}..{high}", frozenset(atoms), low, high)


def with_mean(atoms: str, sum_bound: float = 0.0, noise: float = 0.0) -> Figure:
    n = sum(TRUTH[a] for a in atoms)
    mean = (sum(SCORES[a] for a in atoms) + noise) / n
    return exact(atoms, n, measure="d", mean=(mean, mean), sum_bound=sum_bound)


def problem(*figures: Figure) -> Problem:
    measure_truth = {"d": {atom: (TRUTH[atom], SCORES[atom]) for atom in TRUTH}}
    return Problem(figures=figures, truth=TRUTH, measure_truth=measure_truth)


C = Group("c", frozenset("c"), 1)


def test_a_total_and_all_groups_but_one_give_the_last_one_away():
    report = audit(problem(exact("abc", 21), exact("a", 10), exact("b", 10)), [C], K)

    assert [(b.low, b.high) for b in report.tried] == [(1, 1)]
    assert report.recovered == report.tried


def test_counts_perturbed_to_intervals_of_two_hide_the_group():
    figures = (interval("abc", 19, 23), interval("a", 8, 12), interval("b", 8, 12))

    report = audit(problem(*figures), [C], K)

    assert [(b.low, b.high) for b in report.tried] == [(0, 7)]
    assert report.recovered == []


def test_a_group_bounded_to_one_to_k_minus_one_counts_as_recovered():
    report = audit(problem(exact("abc", 21), interval("ab", 17, 20)), [C], K)

    assert [(b.low, b.high) for b in report.tried] == [(1, 4)]
    assert report.recovered == report.tried


@pytest.mark.parametrize(
    ("low", "high", "recovered"),
    [(1, 1, True), (3, 3, True), (1, 4, True), (0, 4, False), (1, 5, False), (0, 9, False)],
)
def test_a_group_is_recovered_when_pinned_or_known_small(low, high, recovered):
    assert GroupBounds(C, low, high).recovered(K) is recovered
    assert GroupBounds(C, low, high, exact=False).recovered(K) is False


def test_an_unpublished_group_is_unbounded_above():
    report = audit(problem(exact("ab", 20)), [C], K)

    assert [(b.low, b.high) for b in report.tried] == [(0, COUNT_CEILING)]


def test_published_means_of_nested_groups_give_a_pinned_groups_mean_away():
    report = audit(problem(with_mean("abc"), with_mean("a"), with_mean("b")), [C], K)

    (mean,) = report.means
    assert mean.recovered
    assert mean.estimate == pytest.approx(90.0)
    assert mean.truth == pytest.approx(90.0)


def test_sums_perturbed_by_30_points_hide_a_pinned_groups_mean():
    figures = (with_mean("abc", 30, 25.0), with_mean("a", 30, -20.0), with_mean("b", 30, 10.0))

    report = audit(problem(*figures), [C], K)

    (mean,) = report.means
    assert not mean.recovered
    assert mean.low <= 90.0 <= mean.high
    assert mean.high - mean.low > 20


def test_a_mean_that_disagrees_with_its_bound_is_refused():
    with pytest.raises(AssertionError, match="published mean"):
        audit(problem(with_mean("a", 30, 45.0)), [C], K)


def test_a_mean_is_safe_when_the_group_is_pinned_but_its_sum_is_not():
    # The group's count is pinned, but no published mean covers it apart from the others.
    report = audit(problem(with_mean("abc"), exact("a", 10), exact("b", 10)), [C], K)

    (mean,) = report.means
    assert not mean.recovered
    assert (mean.low, mean.high) == pytest.approx((0.0, 100.0))


def test_counts_of_a_statement_some_skipped_bound_the_groups_from_below():
    """7 respondents (a: 5, b: 2), one of b skipped statement s: the statement's counts
    (6 in all, 5 in a) say b holds at least one respondent, the total at most two."""
    truth = {"a": 5, "b": 2}
    measure_truth = {"s": {"a": (5, 250.0), "b": (1, 50.0)}}
    figures = [exact("ab", 7), exact("ab", 6, measure="s"), exact("a", 5, measure="s")]
    system = Problem(
        figures=figures, truth=truth, incomplete=frozenset({"s"}), measure_truth=measure_truth
    )

    report = audit(system, [Group("b", frozenset("b"), 2)], K)

    assert [(b.low, b.high) for b in report.tried] == [(1, 2)]
    assert len(report.recovered) == 1


def test_a_figure_that_disagrees_with_the_truth_is_refused():
    with pytest.raises(AssertionError, match="disagree with the truth"):
        audit(problem(exact("abc", 20)), [C], K)


def test_without_exact_bounds_a_group_an_earlier_solution_empties_is_not_solved_again():
    figures = (interval("abc", 19, 23), interval("a", 8, 12), interval("b", 8, 12))
    groups = [C, Group("c, as another view names it", frozenset("c"), 1)]

    report = audit(problem(*figures), groups, K, exact=False)

    # The first by a solution giving it none (a feasibility problem), the second by that one.
    assert [b.exact for b in report.tried] == [False, False]
    assert report.recovered == []


def test_without_exact_bounds_a_group_no_solution_empties_is_bounded_in_full():
    report = audit(problem(exact("abc", 21), interval("ab", 17, 20)), [C], K, exact=False)

    assert [(b.low, b.high, b.exact) for b in report.tried] == [(1, 4, True)]
    assert report.recovered == report.tried


def test_sources_needed_names_the_channel_a_leak_needs():
    figures = (exact("abc", 21, source="staff page"), exact("a", 10), exact("b", 10))

    assert sources_needed(problem(*figures), C, K) == ["page", "staff page"]


def test_the_small_groups_of_a_table_are_its_small_cells_lines_and_pairs():
    truth = {("it", "x"): 10, ("it", "y"): 2, ("ot", "x"): 0, ("ot", "y"): 3}

    groups = cross_groups(truth, ("side", "region"), K)

    # Lines and pairs of values first; a cell equal to one of them is not tried twice.
    assert {group.description: group.truth for group in groups} == {
        "side=ot": 3,
        "side=it & region=y": 2,
        "side=ot & region=y": 3,
    }


def test_figures_that_differ_tell_a_nested_set_holds_someone():
    """'ab' and 'abc' publish different counts: the same respondents would have given the
    same figure, so c holds at least one respondent (the attacker's lower bound for free)."""
    figures = (
        Figure("page", "ab", frozenset("ab"), 16, 24, published=20),
        Figure("page", "abc", frozenset("abc"), 17, 25, published=21),
    )

    report = audit(problem(*figures), [C], K)

    assert [(b.low, b.high) for b in report.tried] == [(1, 9)]
    assert report.recovered == []
