"""Tests of reports.forms: reading the comparison from the dashboard's GET parameters."""

from __future__ import annotations

import pytest

from reports.choices import RoundAttribute
from reports.forms import (
    ATTRIBUTE_DEFAULTS,
    ComparisonForm,
    comparison_from_query,
    group_choices,
    group_label,
)
from reports.vocabulary import DEFAULT_COMPARISON, LEADERS_VS_STAFF, Comparison


def test_no_parameters_give_it_versus_security_without_a_message():
    comparison, problems, form = comparison_from_query({})
    assert comparison == DEFAULT_COMPARISON
    assert problems == []
    assert form["a"].value() == "it"


def test_unrelated_parameters_are_ignored():
    assert comparison_from_query({"page": "2"})[:2] == (DEFAULT_COMPARISON, [])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"attribute": "side", "a": "security", "b": "it"},
            Comparison("side", ("security",), ("it",)),
        ),
        ({"attribute": "level", "a": "executive+manager", "b": "individual"}, LEADERS_VS_STAFF),
        ({"attribute": "level", "a": "manager+executive", "b": "individual"}, LEADERS_VS_STAFF),
    ],
)
def test_valid_comparisons_are_read(query, expected):
    comparison, problems, form = comparison_from_query(query)
    assert comparison == expected
    assert problems == []
    assert form.is_bound


@pytest.mark.parametrize(
    ("query", "fallback", "message"),
    [
        ({"attribute": "level", "a": "boss", "b": "individual"}, LEADERS_VS_STAFF, "not a group"),
        ({"attribute": "level", "a": "manager", "b": "manager"}, LEADERS_VS_STAFF, "overlap"),
        ({"attribute": "side", "a": "it", "b": ""}, DEFAULT_COMPARISON, "Group B: This field"),
        ({"attribute": "nope", "a": "it", "b": "security"}, DEFAULT_COMPARISON, "valid choice"),
        ({"attribute": "side", "a": "it+it", "b": "security"}, DEFAULT_COMPARISON, "cannot be"),
        # A pool the form does not offer, set beside its parts, would tell them apart.
        (
            {"attribute": "function", "a": "identity", "b": "governance+other"},
            ATTRIBUTE_DEFAULTS["function"],
            "only the combined groups in the list",
        ),
        (
            {"attribute": "level", "a": "individual+executive", "b": "manager"},
            LEADERS_VS_STAFF,
            "only the combined groups in the list",
        ),
    ],
)
def test_bad_comparisons_fall_back_with_a_message(query, fallback, message):
    comparison, problems, form = comparison_from_query(query)
    assert comparison == fallback
    assert any(message in problem for problem in problems)
    # the form shown describes the comparison on the page
    assert form["attribute"].value() == fallback.attribute
    assert form["a"].value() == fallback.label_a


def test_a_changed_attribute_with_the_old_groups_asks_for_its_groups_without_blame():
    """Found by a fresh-user trial: choosing Region in the form kept IT and Security as the
    groups, and the page blamed anonymity for “it”."""
    comparison, problems, _form = comparison_from_query(
        {"attribute": "level", "a": "it", "b": "security"}
    )
    assert comparison == LEADERS_VS_STAFF
    assert problems == ["Comparing by Level: choose two of its groups."]


def test_an_unencoded_plus_typed_in_a_url_still_pools_the_groups():
    """``?a=executive+manager`` arrives as "executive manager" (the + decoded as a space)."""
    comparison, problems, _form = comparison_from_query(
        {"attribute": "level", "a": "executive manager", "b": "individual"}
    )
    assert problems == []
    assert comparison == LEADERS_VS_STAFF


def test_group_lists_follow_the_attribute():
    assert [value for value, _ in group_choices("side")] == ["it", "security", "other"]
    assert group_choices("level")[0] == ("executive+manager", "Leaders (executives and managers)")
    form = ComparisonForm({"attribute": "level", "a": "manager", "b": "individual"})
    values = [value for value, _ in form.fields["a"].widget.choices]
    assert "executive+manager" in values
    assert "it" not in values


def test_group_labels_are_readable():
    assert group_label("side", ("it",)) == "IT"
    assert group_label("level", ("executive", "manager")) == "Leaders (executives and managers)"
    assert group_label("function", ("identity", "other")) == (
        "Identity and access management + Other"
    )


REGION = RoundAttribute(name="region", label="Region", groups=("EMEA", "APAC", "Americas"))


def test_a_round_attribute_is_offered_and_read():
    comparison, problems, form = comparison_from_query(
        {"attribute": "region", "a": "EMEA", "b": "APAC"}, [REGION]
    )
    assert comparison == Comparison("region", ("EMEA",), ("APAC",))
    assert problems == []
    # Its values cannot be pooled: no pool of a round attribute is offered.
    _comparison, problems, _form = comparison_from_query(
        {"attribute": "region", "a": "EMEA+Americas", "b": "APAC"}, [REGION]
    )
    assert any("only the combined groups in the list" in problem for problem in problems)
    assert ("region", "Region") in form.fields["attribute"].choices
    assert [value for value, _ in form.fields["a"].widget.choices] == ["EMEA", "APAC", "Americas"]
    assert group_label("region", ("EMEA", "Americas")) == "EMEA + Americas"


def test_a_round_attribute_is_unknown_without_the_round():
    comparison, problems, _form = comparison_from_query(
        {"attribute": "region", "a": "EMEA", "b": "APAC"}
    )
    assert comparison == DEFAULT_COMPARISON
    assert any("valid choice" in problem for problem in problems)


@pytest.mark.parametrize("group", ["Mars", "EMEA+Mars", "emea"])
def test_a_value_not_held_by_k_respondents_falls_back_to_the_attribute_default(group):
    comparison, problems, form = comparison_from_query(
        {"attribute": "region", "a": group, "b": "APAC"}, [REGION]
    )
    assert comparison == Comparison("region", ("EMEA",), ("APAC",))
    assert any("cannot be compared" in problem for problem in problems)
    assert form["attribute"].value() == "region"


def test_an_attribute_with_one_comparable_value_is_not_offered():
    lonely = RoundAttribute(name="site", label="Site", groups=("HQ",))
    form = ComparisonForm(attributes=[lonely])
    assert "site" not in dict(form.fields["attribute"].choices)
