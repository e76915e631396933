"""YAML is read with limits everywhere (issue 18: a file 3,000 levels deep crashed the
parser with a RecursionError)."""

from __future__ import annotations

import pytest

from assessment.validation import InstrumentError, instrument_file_parse
from assessment.yaml_limits import MAX_YAML_BYTES, YamlLimitError, yaml_load_bounded


def test_an_ordinary_file_reads_as_yaml_load_does():
    assert yaml_load_bounded("a: [1, {b: [2, 3]}]\nc:\n  - d: e\n") == {
        "a": [1, {"b": [2, 3]}],
        "c": [{"d": "e"}],
    }


@pytest.mark.parametrize(
    "text",
    [
        "columns: " + "[" * 3000 + "]" * 3000,  # flow style
        "".join(f"{' ' * level}k{level}:\n" for level in range(200)) + " " * 200 + "v: 1\n",
    ],
    ids=["flow", "block"],
)
def test_a_file_nested_deeper_than_the_limit_is_refused_in_words(text):
    with pytest.raises(YamlLimitError, match="nested more than 50 levels deep"):
        yaml_load_bounded(text)


def test_a_file_larger_than_the_limit_is_refused_before_parsing():
    with pytest.raises(YamlLimitError, match="bytes; at most"):
        yaml_load_bounded("a: " + "x" * (MAX_YAML_BYTES + 1))


def test_load_instrument_refuses_a_deep_file_with_a_message(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("dimensions: " + "[" * 3000 + "]" * 3000, encoding="utf-8")
    with pytest.raises(InstrumentError, match="is not read: it is nested more than 50"):
        instrument_file_parse(path=path)
