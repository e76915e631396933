"""Tests of survey.attributes: naming and labelling a round's profile attributes."""

from __future__ import annotations

import pytest

from survey.attributes import attribute_label, attribute_name_label, attribute_name_problem


def test_attribute_label_is_the_declared_label_else_the_name():
    assert attribute_label({"name": "region", "label": "Where you work"}) == "Where you work"
    assert attribute_label({"name": "region", "label": ""}) == "region"
    assert attribute_label({"name": "region"}) == "region"


def test_attribute_name_label_makes_a_name_readable():
    assert attribute_name_label("job_family") == "Job family"
    assert attribute_name_label("region") == "Region"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("region", ""),
        ("job_family2", ""),
        ("Region", "is not an attribute name"),
        ("2nd", "is not an attribute name"),
        ("a" * 41, "is not an attribute name"),
        (None, "is not an attribute name"),
        ("side", "already a profile field"),
        ("submitted_on", "already a profile field"),
        ("item_code", "names a column of the responses export"),
    ],
)
def test_attribute_name_problem_says_why_a_name_cannot_be_used(name, problem):
    found = attribute_name_problem(name)
    assert (problem in found) if problem else found == ""
