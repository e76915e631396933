"""The instrument example in docs/instrument-format.md is a valid instrument (it must not
drift from the format)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assessment.validation import instrument_validate

FORMAT = Path(__file__).resolve().parents[2] / "docs" / "instrument-format.md"


def test_the_documented_instrument_example_validates():
    block = re.search(r"```yaml\n(slug: .*?)```", FORMAT.read_text(), re.S)
    assert block, "docs/instrument-format.md shows no instrument example"
    spec = instrument_validate(data=yaml.safe_load(block.group(1)), source=FORMAT.name)
    assert spec is not None
