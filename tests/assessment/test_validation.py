"""Tests of the version 2 keys of instrument files in assessment.validation: don't know, meta
prompts, ``about``, ``meta_perception`` and the outcome kind. Each refusal names its key."""

from __future__ import annotations

import copy

import pytest

from assessment.validation import InstrumentError, instrument_validate

PROMPTS = {"it": "What would security say?", "security": "What would IT say?"}


def base() -> dict:
    """A small valid v2-style instrument: an outcome dimension, a scored dimension with a
    mirror pair (one statement marked meta-perception) and a comment."""
    return copy.deepcopy(
        {
            "slug": "tiny",
            "version": "2",
            "title": "Tiny",
            "scale": {"points": 4, "labels": ["No", "Rather no", "Rather yes", "Yes"]},
            "dont_know_label": "Don't know",
            "meta_prompts": dict(PROMPTS),
            "dimensions": [
                {
                    "code": "overall",
                    "name": "Overall",
                    "description": "All in all.",
                    "guidance": "Read the drivers.",
                    "items": [{"code": "ov1", "text": "It works.", "kind": "outcome"}],
                },
                {
                    "code": "d",
                    "name": "D",
                    "description": "About D.",
                    "guidance": "Do this.",
                    "items": [
                        {
                            "code": "d1",
                            "text": "IT does D.",
                            "kind": "likert",
                            "reverse_scored": False,
                            "mirror_of": "d2",
                            "about": "it",
                            "meta_perception": True,
                        },
                        {
                            "code": "d2",
                            "text": "Security does D.",
                            "kind": "likert",
                            "reverse_scored": False,
                            "mirror_of": "d1",
                            "about": "security",
                        },
                        {
                            "code": "d3",
                            "text": "D fails.",
                            "kind": "likert",
                            "reverse_scored": True,
                        },
                        {"code": "d_comment", "text": "Anything?", "kind": "text"},
                    ],
                },
            ],
        }
    )


def refusals(data: dict) -> list[str]:
    with pytest.raises(InstrumentError) as excinfo:
        instrument_validate(data=data)
    return excinfo.value.errors


def items(data: dict) -> list[dict]:
    """The items of the scored dimension ``d``."""
    return next(d for d in data["dimensions"] if d["code"] == "d")["items"]


def test_the_base_instrument_is_valid_and_keeps_the_new_keys():
    spec = instrument_validate(data=base())

    assert spec.dont_know_label == "Don't know"
    assert spec.prompts == PROMPTS
    assert spec.meta_prompts == (("it", PROMPTS["it"]), ("security", PROMPTS["security"]))
    ov1 = spec.dimensions[0].items[0]
    assert (ov1.kind, ov1.reverse_scored) == ("outcome", False)
    d1, d2, d3, _ = spec.dimensions[1].items
    assert (d1.about, d1.meta_perception) == ("it", True)
    assert (d2.about, d2.meta_perception) == ("security", False)
    assert (d3.about, d3.meta_perception) == ("", False)


@pytest.mark.parametrize("label", ["", "  ", None])
def test_an_empty_dont_know_label_means_not_offered(label):
    data = base()
    data["dont_know_label"] = label

    assert instrument_validate(data=data).dont_know_label == ""


def test_the_new_keys_are_optional():
    data = base()
    del data["dont_know_label"], data["meta_prompts"], data["dimensions"][0]
    del items(data)[0]["meta_perception"]

    spec = instrument_validate(data=data)

    assert (spec.dont_know_label, spec.meta_prompts) == ("", ())


def test_digest_leaves_out_new_keys_at_their_defaults():
    plain = base()
    del plain["dont_know_label"], plain["meta_prompts"], plain["dimensions"][0]
    for item in items(plain):
        item.pop("meta_perception", None)
    explicit = copy.deepcopy(plain)
    explicit["dont_know_label"] = ""
    items(explicit)[2]["meta_perception"] = False

    assert instrument_validate(data=plain).sha256() == instrument_validate(data=explicit).sha256()
    items(explicit)[2]["meta_perception"] = True
    explicit["meta_prompts"] = dict(PROMPTS)
    assert instrument_validate(data=plain).sha256() != instrument_validate(data=explicit).sha256()


def test_meta_perception_without_meta_prompts_is_refused_naming_both_keys():
    data = base()
    del data["meta_prompts"]

    assert refusals(data) == [
        "dimensions[1].items[0].meta_perception: needs the top-level key meta_prompts with a "
        "question for each side ('it' and 'security') to ask how the other side would answer"
    ]


@pytest.mark.parametrize("side", ["it", "security"])
def test_meta_perception_with_a_side_missing_from_meta_prompts_is_refused(side):
    data = base()
    del data["meta_prompts"][side]

    assert refusals(data) == [
        f"dimensions[1].items[0].meta_perception: meta_prompts has no question for {side!r}, "
        "so those respondents have no other side to be asked about"
    ]


def test_meta_prompts_for_an_unknown_side_or_empty_are_refused():
    data = base()
    data["meta_prompts"]["other"] = "What would anyone say?"
    data["meta_prompts"]["it"] = " "

    errors = refusals(data)

    assert errors[0].startswith("meta_prompts.other: unknown key; allowed keys are it, security")
    assert "meta_prompts.it: must not be empty" in errors
    assert any(e.startswith("dimensions[1].items[0].meta_perception:") for e in errors)


@pytest.mark.parametrize(
    ("index", "kind"), [(0, "outcome"), (3, "text")], ids=["outcome", "comment"]
)
def test_meta_perception_on_a_statement_that_is_not_likert_is_refused(index, kind):
    data = base()
    target = data["dimensions"][0]["items"][0] if kind == "outcome" else items(data)[3]
    target["meta_perception"] = True
    path = "dimensions[0].items[0]" if kind == "outcome" else f"dimensions[1].items[{index}]"

    assert refusals(data) == [
        f"{path}.meta_perception: only 'likert' items can ask how the other side would "
        f"answer, this item is {kind!r}"
    ]


def test_meta_perception_must_be_a_boolean():
    data = base()
    items(data)[0]["meta_perception"] = "yes"

    assert refusals(data) == [
        "dimensions[1].items[0].meta_perception: must be true or false, got text"
    ]


@pytest.mark.parametrize("index", [0, 1])
def test_a_mirror_statement_without_about_is_refused(index):
    data = base()
    del items(data)[index]["about"]
    code, partner = ("d1", "d2") if index == 0 else ("d2", "d1")

    assert refusals(data) == [
        f"dimensions[1].items[{index}].about: required on a mirror statement ({code!r} is "
        f"paired with {partner!r}): 'it' or 'security', whose behaviour it describes"
    ]


def test_a_one_way_link_still_needs_about_on_both_statements():
    data = base()
    del items(data)[1]["mirror_of"], items(data)[1]["about"]

    assert refusals(data) == [
        "dimensions[1].items[1].about: required on a mirror statement ('d2' is paired with "
        "'d1'): 'it' or 'security', whose behaviour it describes"
    ]


def test_a_mirror_pair_with_the_same_about_on_both_statements_is_refused():
    data = base()
    items(data)[1]["about"] = "it"

    assert refusals(data) == [
        "dimensions[1].items[1].about: must differ from its mirror 'd1' "
        "(dimensions[1].items[0]): both are 'it', but a mirror pair asks about each side once"
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("IT", "must be 'it' or 'security', got 'IT'"),
        (1, "must be 'it' or 'security', got a number"),
    ],
)
def test_about_must_name_a_side(value, problem):
    data = base()
    items(data)[2]["about"] = value

    assert refusals(data) == [f"dimensions[1].items[2].about: {problem}"]


def test_about_on_a_statement_without_a_mirror_is_allowed():
    data = base()
    items(data)[2]["about"] = "security"

    assert instrument_validate(data=data).dimensions[1].items[2].about == "security"


def test_about_on_a_comment_or_the_outcome_is_refused():
    data = base()
    items(data)[3]["about"] = "it"
    data["dimensions"][0]["items"][0]["about"] = "security"

    assert refusals(data) == [
        "dimensions[0].items[0].about: only 'likert' items describe one side's behaviour",
        "dimensions[1].items[3].about: only 'likert' items describe one side's behaviour",
    ]


def test_an_outcome_statement_marked_reverse_scored_is_refused():
    data = base()
    data["dimensions"][0]["items"][0]["reverse_scored"] = True

    assert refusals(data) == [
        "dimensions[0].items[0].reverse_scored: must be false on an 'outcome' item: the outcome "
        "is never reverse-scored (word it so that agreeing means things go well)"
    ]


def test_an_outcome_statement_may_say_reverse_scored_false():
    data = base()
    data["dimensions"][0]["items"][0]["reverse_scored"] = False

    assert instrument_validate(data=data).dimensions[0].items[0].reverse_scored is False


def test_a_second_outcome_statement_is_refused():
    data = base()
    data["dimensions"][0]["items"].append({"code": "ov2", "text": "It works.", "kind": "outcome"})

    assert refusals(data) == [
        "dimensions[0].items[1].kind: an instrument has at most one 'outcome' item, already one "
        "at dimensions[0].items[0]"
    ]


def test_an_outcome_beside_likert_statements_is_refused():
    data = base()
    outcome = data["dimensions"].pop(0)["items"][0]
    items(data).insert(0, outcome)

    assert refusals(data) == [
        "dimensions[0].items: an 'outcome' item must be in a dimension of its own, without "
        "'likert' items"
    ]


def test_an_outcome_cannot_be_mirrored_or_named_by_a_mirror():
    data = base()
    data["dimensions"][0]["items"][0]["mirror_of"] = "d3"
    items(data)[2]["mirror_of"] = "ov1"

    errors = refusals(data)

    assert "dimensions[0].items[0].mirror_of: only 'likert' items can be mirrored" in errors
    assert (
        "dimensions[1].items[2].mirror_of: must name a 'likert' item, 'ov1' is 'outcome'" in errors
    )


@pytest.mark.parametrize("label", ["Yes", "  rather   YES ", "no"])
def test_a_dont_know_label_equal_to_a_scale_label_is_refused(label):
    data = base()
    data["dont_know_label"] = label

    (error,) = refusals(data)

    assert error.startswith("dont_know_label: must differ from every scale label")


@pytest.mark.parametrize(
    ("value", "problem"),
    [(3, "must be text, got a number"), ("x" * 101, "at most 100")],
)
def test_a_dont_know_label_must_be_short_text(value, problem):
    data = base()
    data["dont_know_label"] = value

    (error,) = refusals(data)

    assert error.startswith("dont_know_label: ")
    assert problem in error
