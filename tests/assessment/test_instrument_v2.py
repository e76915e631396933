"""Tests of the default instrument file, version 2: its structure, its new keys and the
statements it shares with version 1 (which the trend compares)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from assessment.services import DEFAULT_INSTRUMENT_PATH, V1_INSTRUMENT_PATH
from assessment.validation import InstrumentSpec, ItemSpec, instrument_file_parse
from reports.trends import shared_items

DIMENSIONS = {  # code: number of Likert items
    "overall": 0,
    "speed_control": 6,
    "early_involvement": 5,
    "shared_objectives": 4,
    "communication_trust": 6,
    "decision_rights": 5,
    "incident_roles": 6,
    "operational_handoffs": 5,
    "identity_access": 4,
    "compliance_audit": 4,
    "budgets_roadmaps": 5,
    "new_technology": 5,
    "ai_governance": 4,
}

# Statements asked in both versions with the same code, text, dimension and coding: the trend
# compares v1 and v2 rounds on exactly these. Changing this list is a decision about what the
# trend can compare; make it on purpose.
SHARED_WITH_V1 = [
    "sc1",
    "sc2",
    "sc3",
    "sc4",
    "sc5",
    "ei1",
    "ei2",
    "ei3",
    "so1",
    "so2",
    "so3",
    "so5",
    "ct1",
    "ct2",
    "ct3",
    "ir1",
    "ir2",
    "ir4",
    "ir5",
    "oh2",
    "oh3",
    "nt1",
    "nt2",
    "nt3",
]
# Same code and text, but moved to a dimension of its own in v2: deliberately not compared.
MOVED_FROM_V1 = {"oh1": ("operational_handoffs", "identity_access")}
# v1 codes no longer asked; never to be reused for another statement.
RETIRED_FROM_V1 = {
    "sc6",
    "ei4",
    "ei5",
    "so4",
    "ct4",
    "ct5",
    "ct6",
    "ir3",
    "ir6",
    "oh4",
    "oh5",
    "nt4",
    "nt5",
}

MIRROR_PAIRS = {
    ("sc4", "sc5"),
    ("ei1", "ei2"),
    ("so2", "so3"),
    ("ct1", "ct2"),
    ("ct10", "ct11"),
    ("dr6", "dr7"),
    ("ir4", "ir5"),
    ("oh7", "oh8"),
    ("ia3", "ia4"),
    ("ca5", "ca6"),
    ("br4", "br5"),
    ("nt6", "nt7"),
}
META_PERCEPTION = {"sc2", "ei1", "so2", "ct10", "dr6", "ir4", "ia3", "nt6", "ai3"}


@pytest.fixture(scope="module")
def v2() -> InstrumentSpec:
    return instrument_file_parse(path=DEFAULT_INSTRUMENT_PATH)


@pytest.fixture(scope="module")
def v1() -> InstrumentSpec:
    return instrument_file_parse(path=V1_INSTRUMENT_PATH)


def all_items(spec: InstrumentSpec) -> dict[str, tuple[str, ItemSpec]]:
    """``{code: (dimension code, item)}``."""
    return {item.code: (d.code, item) for d in spec.dimensions for item in d.items}


def items_frame(spec: InstrumentSpec) -> pd.DataFrame:
    """The items frame ``survey.selectors`` would give for the instrument."""
    return pd.DataFrame(
        [
            {
                "item_code": item.code,
                "dimension_code": dimension,
                "reverse_scored": item.reverse_scored,
                "kind": item.kind,
            }
            for dimension, item in all_items(spec).values()
        ]
    )


def test_v2_is_the_default_and_is_identified_as_the_contract_says(v2):
    assert DEFAULT_INSTRUMENT_PATH.name == "it-security-collaboration-v2.yaml"
    assert (v2.slug, v2.version) == ("it-security-collaboration", "2")
    assert v2.scale_points == 5
    assert v2.scale_labels[0] == "Strongly disagree"
    assert v2.dont_know_label == "Don't know / not applicable"
    assert v2.prompts == {
        "it": "How do you think security staff would answer?",
        "security": "How do you think IT staff would answer?",
    }


def test_v2_has_its_dimensions_in_order_with_45_to_60_rated_statements(v2):
    counts = {d.code: sum(i.kind == "likert" for i in d.items) for d in v2.dimensions}
    outcomes = [i for d in v2.dimensions for i in d.items if i.kind == "outcome"]

    assert counts == DIMENSIONS
    assert 45 <= sum(counts.values()) + len(outcomes) <= 60


def test_the_one_outcome_statement_is_alone_in_the_first_dimension(v2):
    overall = v2.dimensions[0]

    assert overall.code == "overall"
    assert [(i.code, i.kind) for i in overall.items] == [("ov1", "outcome")]
    outcome = overall.items[0]
    assert outcome.text == "Overall, IT and security work well together here."
    assert outcome.reverse_scored is False
    assert not outcome.meta_perception
    assert not outcome.mirror_of
    assert not outcome.about


@pytest.mark.parametrize("index", range(1, len(DIMENSIONS)))
def test_each_scored_dimension_has_a_reverse_item_a_comment_and_sourced_guidance(v2, index):
    dimension = v2.dimensions[index]
    likert = [i for i in dimension.items if i.kind == "likert"]
    comments = [i for i in dimension.items if i.kind == "text"]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", dimension.guidance) if s]

    assert any(i.reverse_scored for i in likert)
    assert not all(i.reverse_scored for i in likert)
    assert [c.code for c in comments] == [f"{likert[-1].code.rstrip('0123456789')}_comment"]
    assert dimension.description
    assert 3 <= len(sentences) <= 6
    # Every dimension's guidance names its source.
    assert re.search(
        r"NIST|ISO/IEC|ITIL|Gittell|Luftman|CLTRe|SP 800|AI RMF", dimension.guidance
    ), dimension.code


def test_mirror_pairs_are_linked_both_ways_and_describe_each_side_once(v2):
    items = all_items(v2)
    pairs = {tuple(sorted((c, i.mirror_of))) for c, (_, i) in items.items() if i.mirror_of}

    assert pairs == {tuple(sorted(p)) for p in MIRROR_PAIRS}
    for one, other in pairs:
        (dim_one, a), (dim_other, b) = items[one], items[other]
        assert a.mirror_of == other
        assert b.mirror_of == one
        assert dim_one == dim_other
        assert a.reverse_scored == b.reverse_scored
        assert {a.about, b.about} == {"it", "security"}


def test_every_dimension_where_the_concern_runs_both_ways_has_a_mirror_pair(v2):
    items = all_items(v2)
    with_pairs = {items[one][0] for one, _ in MIRROR_PAIRS}

    # overall: one statement; ai_governance: rules of the organisation, owned by neither side.
    assert with_pairs == set(DIMENSIONS) - {"overall", "ai_governance"}


def test_meta_perception_marks_one_statement_in_most_dimensions(v2):
    items = all_items(v2)
    marked = {code for code, (_, item) in items.items() if item.meta_perception}

    assert marked == META_PERCEPTION
    assert all(items[code][1].kind == "likert" for code in marked)
    dimensions = [items[code][0] for code in marked]
    assert len(dimensions) == len(set(dimensions))


def test_statements_are_statements_without_frequency_words(v2):
    frequency = re.compile(r"\b(often|usually|sometimes|always|never|rarely|frequently)\b", re.I)
    for _, item in all_items(v2).values():
        if item.kind == "text":
            assert item.text.endswith("?"), item.code
            continue
        assert item.text.endswith("."), item.code
        assert not frequency.search(item.text), item.code


def test_codes_shared_with_v1_keep_text_dimension_and_coding(v1, v2):
    old, new = all_items(v1), all_items(v2)

    same = sorted(
        code
        for code in set(old) & set(new)
        if new[code][1].kind == "likert"
        and (old[code][0], old[code][1].reverse_scored, old[code][1].text)
        == (new[code][0], new[code][1].reverse_scored, new[code][1].text)
    )

    assert same == sorted(SHARED_WITH_V1)
    for code, (before, after) in MOVED_FROM_V1.items():
        assert (old[code][0], new[code][0]) == (before, after)
        assert old[code][1].text == new[code][1].text


def test_the_trend_compares_v1_and_v2_on_exactly_the_shared_codes(v1, v2):
    shared = shared_items([items_frame(v1), items_frame(v2)])

    assert sorted(shared["item_code"]) == sorted(SHARED_WITH_V1)


def test_v1_codes_not_shared_are_retired_and_not_reused(v1, v2):
    old, new = all_items(v1), all_items(v2)
    likert_v1 = {code for code, (_, item) in old.items() if item.kind == "likert"}

    assert likert_v1 - set(SHARED_WITH_V1) - set(MOVED_FROM_V1) == RETIRED_FROM_V1
    assert not RETIRED_FROM_V1 & set(new)
