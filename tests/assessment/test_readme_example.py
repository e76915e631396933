"""The instrument example in the README is a valid instrument (it must not drift from the
format)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assessment.validation import instrument_validate

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_instrument_example_validates():
    block = re.search(r"```yaml\n(slug: .*?)```", README.read_text(), re.S)
    assert block, "the README shows no instrument example"
    spec = instrument_validate(data=yaml.safe_load(block.group(1)), source="README.md")
    assert spec is not None
