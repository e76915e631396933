"""Tests of the version 1 instrument file (still loadable) and of the pure validation of
instrument files. Version 2, the default, is tested in test_instrument_v2.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assessment.services import V1_INSTRUMENT_PATH
from assessment.validation import InstrumentError, instrument_file_parse, instrument_validate

DIMENSION_CODES = [
    "speed_control",
    "early_involvement",
    "shared_objectives",
    "communication_trust",
    "incident_roles",
    "operational_handoffs",
    "new_technology",
]


@pytest.fixture(scope="module")
def spec():
    return instrument_file_parse(path=V1_INSTRUMENT_PATH)


def likert(dimension):
    return [item for item in dimension.items if item.kind == "likert"]


def test_v1_instrument_is_identified_as_the_contract_says(spec):
    assert V1_INSTRUMENT_PATH.name == "it-security-collaboration.yaml"
    assert spec.slug == "it-security-collaboration"
    assert spec.version == "1"
    assert spec.title
    assert spec.description


def test_v1_instrument_uses_a_5_point_agreement_scale(spec):
    assert spec.scale_points == 5
    assert spec.scale_labels == (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
    )


def test_v1_instrument_has_the_seven_dimensions_of_the_issue_in_order(spec):
    assert [d.code for d in spec.dimensions] == DIMENSION_CODES


@pytest.mark.parametrize("index", range(len(DIMENSION_CODES)))
def test_each_dimension_has_4_to_6_likert_items_and_one_reverse_scored(spec, index):
    dimension = spec.dimensions[index]
    items = likert(dimension)

    assert 4 <= len(items) <= 6
    assert any(item.reverse_scored for item in items)
    assert not all(item.reverse_scored for item in items)


@pytest.mark.parametrize("index", range(len(DIMENSION_CODES)))
def test_each_dimension_has_exactly_one_comment_item(spec, index):
    comments = [item for item in spec.dimensions[index].items if item.kind == "text"]

    assert len(comments) == 1
    assert comments[0].code.endswith("_comment")
    assert not comments[0].reverse_scored


@pytest.mark.parametrize("index", range(len(DIMENSION_CODES)))
def test_each_dimension_has_a_description_and_short_guidance(spec, index):
    dimension = spec.dimensions[index]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", dimension.guidance) if s]

    assert dimension.name
    assert dimension.description
    assert 2 <= len(sentences) <= 4


@pytest.mark.parametrize("index", range(len(DIMENSION_CODES)))
def test_item_codes_of_a_dimension_share_a_short_prefix(spec, index):
    codes = [item.code for item in spec.dimensions[index].items]
    prefix = codes[0].rstrip("0123456789")

    assert len(prefix) == 2
    assert all(code.startswith(prefix) for code in codes)
    assert f"{prefix}_comment" in codes


def test_v1_instrument_has_at_least_three_mirror_pairs_linked_both_ways(spec):
    items = {item.code: item for d in spec.dimensions for item in d.items}
    pairs = {frozenset((item.code, item.mirror_of)) for item in items.values() if item.mirror_of}

    assert len(pairs) >= 3
    for pair in pairs:
        one, other = sorted(pair)
        assert items[one].kind == items[other].kind == "likert"
        assert items[one].mirror_of == other
        assert items[other].mirror_of == one
        # Comparable side by side only if both are scored the same way round.
        assert items[one].reverse_scored == items[other].reverse_scored
        assert {items[one].about, items[other].about} == {"it", "security"}


def test_item_texts_are_statements_not_questions_except_comments(spec):
    for dimension in spec.dimensions:
        for item in likert(dimension):
            assert item.text.endswith("."), item.code
            assert "?" not in item.text, item.code


def test_validation_module_imports_no_django():
    code = "import sys, assessment.validation; sys.exit('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)  # noqa: S603

    assert result.returncode == 0


def test_validation_reports_every_problem_at_once():
    data = {
        "slug": "Bad Slug",
        "version": "1",
        "title": "",
        "scale": {"points": 9, "labels": ["a"]},
        "dimensions": [],
    }

    with pytest.raises(InstrumentError) as excinfo:
        instrument_validate(data=data)

    assert excinfo.value.errors == [
        "slug: must be lowercase letters and digits separated by single hyphens, got 'Bad Slug'",
        "title: must not be empty",
        "scale.points: must be between 4 and 7, got 9",
        "dimensions: must list at least one dimension",
    ]
    assert "4 problems" in str(excinfo.value)


def test_validation_accepts_a_numeric_version_as_text():
    data = {
        "slug": "tiny",
        "version": 2,
        "title": "Tiny",
        "scale": {"points": 4, "labels": ["1", "2", "3", "4"]},
        "dimensions": [
            {
                "code": "d",
                "name": "D",
                "description": "About D.",
                "guidance": "Do this.",
                "items": [
                    {"code": "d1", "text": "D one.", "kind": "likert", "reverse_scored": False}
                ],
            }
        ],
    }

    assert instrument_validate(data=data).version == "2"


def test_the_example_in_the_format_documentation_is_valid():
    doc = Path(__file__).resolve().parents[2] / "docs" / "instrument-format.md"
    example = re.search(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)

    spec = instrument_validate(data=yaml.safe_load(example.group(1)))

    assert (spec.slug, spec.version) == ("it-security-collaboration", "2")
    assert spec.dimensions[0].items[0].kind == "outcome"
    ei1 = spec.dimensions[1].items[0]
    assert (ei1.mirror_of, ei1.about, ei1.meta_perception) == ("ei2", "it", True)
    assert spec.prompts.keys() == {"it", "security"}
