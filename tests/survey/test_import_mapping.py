"""Tests of survey.import_mapping: reading an import's mapping file."""

from __future__ import annotations

import pytest

from survey.import_mapping import mapping_parse
from survey.tables import ImportFileError


def test_mapping_parse_keeps_yes_and_no_as_text():
    mapping = mapping_parse(
        text="columns:\n  Do you work in security?: side\nvalues:\n  side:\n    Yes: security\n"
        "    No: it\n"
    )
    assert mapping.columns == {"do you work in security?": "side"}
    assert mapping.values == {"side": {"yes": "security", "no": "it"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colums: {}", "colums: unknown key"),
        ("columns: [a, b]", "columns: must map"),
        ("attributes: [Region]", "not an attribute name"),
        ("attributes: [side]", "already a profile field"),
        ("values:\n  likert: [1, 2]", "values.likert: must map"),
        ("date_format: 12", "date_format"),
        ("columns: {a: [1]", "not valid YAML"),
    ],
)
def test_mapping_parse_names_the_bad_key(text, message):
    with pytest.raises(ImportFileError, match=message):
        mapping_parse(text=text)
