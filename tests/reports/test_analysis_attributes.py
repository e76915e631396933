"""reports.analysis with any respondent column (imported attributes such as ``region``) and
with frames shaped as the selector returns them (categoricals), on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reports.analysis import compare_groups, group_summary, round_analysis
from reports.distributions import item_distributions
from reports.panel import respondent_columns, respondent_scores, score_items
from reports.vocabulary import Comparison

ITEMS = pd.DataFrame(
    [
        ("a1", "a", "Dimension a", "likert", False),
        ("a2", "a", "Dimension a", "likert", True),
        ("a_c", "a", "Dimension a", "text", False),
        ("b1", "b", "Dimension b", "likert", False),
        ("b2", "b", "Dimension b", "likert", False),
    ],
    columns=["item_code", "dimension_code", "dimension_name", "kind", "reverse_scored"],
)
EMEA = {"a1": 5, "a2": 1, "b1": 3, "b2": 3}  # a: 100, b: 50
APAC = {"a1": 4, "a2": 2, "b1": 5, "b2": 5}  # a: 75, b: 100
MARS = {"a1": 1, "a2": 5, "b1": 1, "b2": 1}  # a: 0, b: 0
REGION = Comparison("region", ("EMEA",), ("APAC",))


def make_answers(rows: list[tuple[int, str, dict[str, int]]]) -> pd.DataFrame:
    """Everyone on the IT side, so only the region tells the groups apart."""
    return pd.DataFrame(
        [
            (rid, "it", "infrastructure", "individual", region, code, value)
            for rid, region, values in rows
            for code, value in values.items()
        ],
        columns=["response_id", "side", "function", "level", "region", "item_code", "value"],
    )


def as_selected(answers: pd.DataFrame) -> pd.DataFrame:
    """The frame as ``survey.selectors.round_answers_frame`` gives it: categoricals of str
    with sorted categories, rows in no particular order."""
    frame = answers.sample(frac=1.0, random_state=3).reset_index(drop=True)
    for column in ("side", "function", "level", "region", "item_code"):
        values = frame[column].astype(str)
        frame[column] = pd.Categorical(
            values, categories=pd.Index(sorted(set(values)), dtype="str")
        )
    return frame


def regions(k_mars: int = 2, *, blank: bool = True) -> pd.DataFrame:
    """3 EMEA, 3 APAC, ``k_mars`` Mars and (``blank``) one respondent without a region."""
    rows = [(i, "EMEA", EMEA) for i in range(1, 4)] + [(i, "APAC", APAC) for i in range(4, 7)]
    rows += [(10 + i, "Mars", MARS) for i in range(k_mars)] + [(20, "", APAC)] * blank
    return make_answers(rows)


def by_dimension(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("dimension_code")


@pytest.mark.parametrize("shape", [lambda f: f, as_selected], ids=["str", "categorical"])
def test_a_region_comparison_gives_the_gaps_of_its_two_regions(shape):
    result = round_analysis(shape(regions()), ITEMS, 5, 3, comparison=REGION)
    gaps = by_dimension(result.gaps)
    assert gaps.loc["a", "gap"] == pytest.approx(100.0 - 75.0)
    assert gaps.loc["b", "gap"] == pytest.approx(50.0 - 100.0)
    assert list(gaps["n_a"]) == [3, 3]
    assert list(gaps["n_b"]) == [3, 3]  # the APAC-like respondent without a region is out
    assert set(gaps["attribute"]) == {"region"}
    assert list(gaps["rank"]) == [2, 1]
    item = result.item_gaps.set_index("item_code")
    assert item.loc["a2", "score_a"] == pytest.approx(100.0)  # 1 reversed to 5
    assert item.loc["a2", "gap"] == pytest.approx(100.0 - 75.0)
    emea = result.distributions.query("item_code == 'a2' and group == 'EMEA'")
    assert list(emea["count"]) == [3, 0, 0, 0, 0]  # counted as asked, not reversed
    summary = result.summary.set_index(["dimension_code", "group"])
    assert summary.loc[("a", "EMEA"), "score_mean"] == pytest.approx(100.0)
    assert summary.loc[("b", "APAC"), "n"] == 3


def test_a_region_below_k_is_suppressed_while_all_counts_it():
    answers = regions(k_mars=2)
    result = round_analysis(answers, ITEMS, 5, 3, comparison=REGION)
    summary = result.summary.set_index(["dimension_code", "group"])
    assert list(result.summary["group"].unique()) == ["", "APAC", "EMEA", "Mars", "all"]
    mars = summary.loc[("a", "Mars")]
    assert mars["suppressed"]
    assert pd.isna(mars["n"])
    assert pd.isna(mars["score_mean"])
    assert summary.loc[("a", "all"), "n"] == 9  # everyone: Mars's 2 and the blank one too
    # Without the blank one, "all" minus APAC and EMEA is Mars's 2 with exact figures; as
    # published (each count within 2 of the truth) it is an interval, so "all" is shown.
    alone = round_analysis(regions(k_mars=2, blank=False), ITEMS, 5, 3, comparison=REGION)
    everyone = alone.summary.set_index(["dimension_code", "group"]).loc[("a", "all")]
    assert not everyone["suppressed"]
    assert everyone["n"] == 8

    small = round_analysis(
        answers, ITEMS, 5, 3, comparison=Comparison("region", ("Mars",), ("APAC",))
    )
    for frame in (small.gaps, small.item_gaps):
        assert frame["suppressed_a"].all()
        assert frame["n_a"].isna().all()
        assert frame["gap"].isna().all()
    assert set(small.gaps["status"]) == {"suppressed"}
    assert small.distributions.query("group == 'Mars'")["count"].isna().all()


def test_a_pooled_region_group_is_shown_whole_when_one_region_is_small():
    answers = regions(k_mars=2)
    pooled = Comparison("region", ("EMEA", "Mars"), ("APAC",))
    result = round_analysis(answers, ITEMS, 5, 3, comparison=pooled)
    assert not result.gaps["suppressed"].any()
    assert list(result.gaps["n_a"]) == [5, 5]  # EMEA's 3 and Mars's 2
    assert list(result.gaps["group_a"]) == ["EMEA+Mars", "EMEA+Mars"]
    assert not result.item_gaps["suppressed_a"].any()
    # a: EMEA 100 (3), Mars 0 (2).
    assert by_dimension(result.gaps).loc["a", "score_a"] == pytest.approx(60.0)
    enough = round_analysis(regions(k_mars=3), ITEMS, 5, 3, comparison=pooled)
    assert not enough.gaps["suppressed"].any()
    assert list(enough.gaps["n_a"]) == [6, 6]


def test_an_attribute_that_is_not_a_column_is_refused():
    answers = regions()
    country = Comparison("country", ("FR",), ("DE",))
    with pytest.raises(ValueError, match=r"'country'.*region"):
        round_analysis(answers, ITEMS, 5, 3, comparison=country)
    scored = score_items(answers, ITEMS, 5)
    scores = respondent_scores(answers, ITEMS, 5)
    with pytest.raises(ValueError, match="country"):
        compare_groups(scored, scores, ITEMS, 5, comparison=country, min_group_size=3)
    with pytest.raises(ValueError, match="country"):
        group_summary(scored, scores, ITEMS, 5, "country", 3)
    with pytest.raises(ValueError, match="country"):
        item_distributions(scored, ITEMS, 5, "country", 3)
    with pytest.raises(ValueError, match="'item_code'"):
        round_analysis(answers, ITEMS, 5, 3, comparison=Comparison("item_code", ("a1",), ("b1",)))


def test_every_respondent_column_flows_into_the_respondent_scores():
    answers = as_selected(regions())
    assert respondent_columns(answers) == ["side", "function", "level", "region"]
    scores = respondent_scores(answers, ITEMS, 5)
    assert list(scores.columns) == [
        "response_id",
        "side",
        "function",
        "level",
        "region",
        "dimension_code",
        "score",
    ]
    assert isinstance(scores["region"].dtype, pd.CategoricalDtype)
    assert list(scores["dimension_code"].astype(str)) == ["a"] * 9 + ["b"] * 9
    assert list(scores["response_id"][:9]) == [1, 2, 3, 4, 5, 6, 10, 11, 20]
    by_id = scores.loc[scores["dimension_code"] == "a"].set_index("response_id")
    assert by_id.loc[4, "region"] == "APAC"
    assert by_id.loc[20, "region"] == ""
    assert by_id.loc[1, "score"] == pytest.approx(100.0)


def test_selector_shaped_frames_give_the_same_analysis_as_str_frames():
    rng = np.random.default_rng(5)
    rows = [
        (
            i,
            ["EMEA", "APAC", "AMER", ""][i % 4],
            {
                code: int(v)
                for code, v in zip(["a1", "a2", "b1", "b2"], rng.integers(1, 6, 4), strict=True)
            },
        )
        for i in range(1, 60)
    ]
    answers = make_answers(rows)
    answers = answers.drop(index=rng.choice(len(answers), size=20, replace=False))
    answers["level"] = np.where(answers["response_id"] % 3 == 0, "manager", "individual")
    for comparison in (REGION, Comparison("level", ("manager",), ("individual",))):
        plain = round_analysis(answers, ITEMS, 5, 5, comparison=comparison)
        fast = round_analysis(as_selected(answers), ITEMS, 5, 5, comparison=comparison)
        for name in ("summary", "gaps", "item_gaps", "distributions", "mirror_pairs"):
            pd.testing.assert_frame_equal(
                getattr(plain, name), getattr(fast, name), check_exact=False, obj=name
            )
        pd.testing.assert_frame_equal(
            plain.respondent_scores.astype(object), fast.respondent_scores.astype(object)
        )


def test_selector_shaped_frames_are_checked_and_scored_like_str_frames():
    answers = as_selected(make_answers([(1, "EMEA", {**EMEA, "a_c": 3})]))
    scored = score_items(answers, ITEMS, 5)
    # the text item's answer is left out
    assert sorted(scored["item_code"].astype(str)) == ["a1", "a2", "b1", "b2"]
    by_item = scored.set_index(scored["item_code"].astype(str))
    assert by_item.loc["a2", "score"] == 5
    assert by_item.loc["a2", "value"] == 1
    assert list(scored["dimension_code"].cat.categories) == ["a", "b"]
    bad = as_selected(make_answers([(1, "EMEA", {"a1": 6})]))
    with pytest.raises(ValueError, match=r"1\.\.5"):
        round_analysis(bad, ITEMS, 5, 3)


def test_an_item_answered_twice_by_one_respondent_is_an_error():
    answers = make_answers([(1, "EMEA", {"a1": 4}), (1, "EMEA", {"a1": 2})])
    with pytest.raises(ValueError, match="more than one answer"):
        respondent_scores(answers, ITEMS, 5)
