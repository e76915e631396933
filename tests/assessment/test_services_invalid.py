"""Tests of assessment.services.instrument_load on invalid files: each wrong value or missing
key is refused naming its key, nothing is written, and unreadable files are named."""

from __future__ import annotations

import re

import pytest

from assessment.models import Instrument, Item
from assessment.services import InstrumentError, instrument_load
from assessment.validation import instrument_file_parse
from tests.assessment.instrument_files import delete_key, set_key, snapshot, tiny_data, write

INVALID_VALUES = [
    ("slug", "Bad Slug", "slug: must be lowercase letters and digits"),
    ("slug", "a--b", "slug: must be lowercase"),
    ("slug", 5, "slug: must be text, got a number"),
    ("slug", "x" * 81, "slug: must be at most 80 characters"),
    ("version", True, "version: must be text"),
    ("version", "", "version: must not be empty"),
    ("version", "1 beta", "version: must be letters, digits"),
    ("version", 1.5, "version: must be text"),
    ("title", "", "title: must not be empty"),
    ("title", None, "title: must be text, got nothing (null)"),
    ("title", ["a"], "title: must be text, got a list"),
    ("description", 3, "description: must be text"),
    ("colour", "blue", "colour: unknown key"),
    ("scale", "five", "scale: must be a mapping"),
    ("scale.points", 3, "scale.points: must be between 4 and 7, got 3"),
    ("scale.points", 8, "scale.points: must be between 4 and 7, got 8"),
    ("scale.points", "5", "scale.points: must be a whole number, got text"),
    ("scale.points", True, "scale.points: must be a whole number, got a boolean"),
    ("scale.labels", ["a", "b", "c", "d"], "scale.labels: must have one label per scale point"),
    ("scale.labels", "agree", "scale.labels: must be a list"),
    ("scale.labels[2]", "", "scale.labels[2]: must not be empty"),
    ("scale.labels[2]", 3, "scale.labels[2]: must be text"),
    ("scale.labels[4]", "Disagree", "scale.labels: labels must all be different"),
    ("scale.steps", 5, "scale.steps: unknown key"),
    ("dimensions", [], "dimensions: must list at least one dimension"),
    ("dimensions", {"d1": {}}, "dimensions: must be a list"),
    ("dimensions[1]", "d2", "dimensions[1]: must be a mapping"),
    ("dimensions[1].code", "d1", "dimensions[1].code: duplicate dimension code 'd1'"),
    ("dimensions[0].code", "Has Space", "dimensions[0].code: must start with a lowercase"),
    ("dimensions[0].code", "1st", "dimensions[0].code: must start with a lowercase"),
    ("dimensions[0].name", "", "dimensions[0].name: must not be empty"),
    ("dimensions[0].guidance", "  ", "dimensions[0].guidance: must not be empty"),
    ("dimensions[1].description", None, "dimensions[1].description: must be text"),
    ("dimensions[0].weight", 2, "dimensions[0].weight: unknown key"),
    (
        "dimensions[0].items",
        [],
        "dimensions[0].items: must contain at least one 'likert' or 'outcome' item",
    ),
    ("dimensions[0].items", "a1", "dimensions[0].items: must be a list"),
    (
        "dimensions[1].items",
        [{"code": "b_comment", "text": "Anything?", "kind": "text"}],
        "dimensions[1].items: must contain at least one 'likert' or 'outcome' item",
    ),
    ("dimensions[0].items[1]", "a2", "dimensions[0].items[1]: must be a mapping"),
    (
        "dimensions[0].items[0].kind",
        "radio",
        "dimensions[0].items[0].kind: must be 'likert', 'outcome' or 'text', got 'radio'",
    ),
    (
        "dimensions[0].items[0].kind",
        1,
        "dimensions[0].items[0].kind: must be 'likert', 'outcome' or 'text'",
    ),
    ("dimensions[0].items[0].code", "A 1", "dimensions[0].items[0].code: must start with"),
    ("dimensions[0].items[0].code", "x" * 41, "dimensions[0].items[0].code: must be at most 40"),
    (
        "dimensions[1].items[0].code",
        "a3",
        "dimensions[1].items[0].code: duplicate item code 'a3', already used at "
        "dimensions[0].items[2].code",
    ),
    ("dimensions[0].items[1].text", "", "dimensions[0].items[1].text: must not be empty"),
    ("dimensions[0].items[1].text", 42, "dimensions[0].items[1].text: must be text"),
    (
        "dimensions[0].items[1].reverse_scored",
        "yes please",
        "dimensions[0].items[1].reverse_scored: must be true or false, got text",
    ),
    (
        "dimensions[0].items[1].reverse_scored",
        0,
        "dimensions[0].items[1].reverse_scored: must be true or false, got a number",
    ),
    (
        "dimensions[0].items[3].reverse_scored",
        True,
        "dimensions[0].items[3].reverse_scored: must be false on a 'text' item",
    ),
    ("dimensions[0].items[0].required", True, "dimensions[0].items[0].required: unknown key"),
    (
        "dimensions[0].items[0].mirror_of",
        "zz9",
        "dimensions[0].items[0].mirror_of: names no item of this instrument: 'zz9'",
    ),
    (
        "dimensions[0].items[0].mirror_of",
        "a1",
        "dimensions[0].items[0].mirror_of: an item cannot mirror itself",
    ),
    (
        "dimensions[0].items[0].mirror_of",
        "a_comment",
        "dimensions[0].items[0].mirror_of: must name a 'likert' item, 'a_comment' is 'text'",
    ),
    (
        "dimensions[0].items[3].mirror_of",
        "a3",
        "dimensions[0].items[3].mirror_of: only 'likert' items can be mirrored",
    ),
    (
        "dimensions[0].items[1].mirror_of",
        "b1",
        "dimensions[0].items[1].mirror_of: 'a2' is already paired with 'a1'",
    ),
    ("dimensions[0].items[1].mirror_of", 7, "dimensions[0].items[1].mirror_of: must be text"),
]

MISSING_KEYS = [
    "slug",
    "version",
    "title",
    "scale",
    "scale.points",
    "scale.labels",
    "dimensions",
    "dimensions[0].code",
    "dimensions[0].name",
    "dimensions[0].description",
    "dimensions[0].guidance",
    "dimensions[0].items",
    "dimensions[1].items[0].code",
    "dimensions[1].items[0].text",
    "dimensions[1].items[0].kind",
    "dimensions[1].items[0].reverse_scored",
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "value", "message"), INVALID_VALUES)
def test_invalid_value_is_rejected_naming_the_key_and_nothing_is_written(
    tmp_path, key, value, message
):
    data = tiny_data()
    set_key(data, key, value)

    with pytest.raises(InstrumentError) as excinfo:
        instrument_load(path=write(tmp_path, data))

    assert message in str(excinfo.value)
    assert Instrument.objects.count() == 0
    assert Item.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("key", MISSING_KEYS)
def test_missing_required_key_is_rejected_naming_the_key(tmp_path, key):
    data = tiny_data()
    delete_key(data, key)

    with pytest.raises(InstrumentError, match=re.escape(f"{key}: required key is missing")):
        instrument_load(path=write(tmp_path, data))

    assert Instrument.objects.count() == 0


def test_optional_keys_may_be_left_out(tmp_path):
    data = tiny_data()
    del data["description"]
    del data["dimensions"][0]["items"][0]["mirror_of"]

    spec = instrument_file_parse(path=write(tmp_path, data))

    assert spec.description == ""
    assert spec.dimensions[0].items[0].mirror_of == ""
    assert spec.dimensions[0].items[3].reverse_scored is False


@pytest.mark.django_db
def test_an_invalid_file_does_not_touch_a_loaded_version(tmp_path):
    instrument = instrument_load(path=write(tmp_path, tiny_data())).instrument
    before = snapshot(instrument)
    data = tiny_data()
    data["dimensions"][0]["items"][0]["kind"] = "radio"

    with pytest.raises(InstrumentError, match="kind"):
        instrument_load(path=write(tmp_path, data))

    assert snapshot(instrument) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"# only a comment\n", "is empty"),
        (b"- one\n- two\n", "top level: must be a mapping of keys to values, got a list"),
        (b"just words\n", "top level: must be a mapping of keys to values, got text"),
        (b"slug: [unclosed\n", "is not valid YAML at line"),
        (b"slug: a\n  title: b\n", "is not valid YAML at line 2"),
        (b"slug: \xff\xfe\n", "is not valid UTF-8"),
        (b"slug: !!python/object:os.system x\n", "is not valid YAML"),
    ],
)
def test_unreadable_content_gives_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)

    with pytest.raises(InstrumentError, match=re.escape(message)):
        instrument_load(path=path)


def test_a_missing_file_gives_a_clear_error(tmp_path):
    with pytest.raises(InstrumentError, match=r"Instrument file not found: .*nowhere\.yaml"):
        instrument_load(path=tmp_path / "nowhere.yaml")


def test_a_directory_gives_a_clear_error(tmp_path):
    with pytest.raises(InstrumentError, match="is a directory"):
        instrument_load(path=tmp_path)
