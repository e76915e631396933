"""Tests of survey.importing: mapping a table's columns and cells onto a round's items."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from survey.importing import ImportSchema, table_parse
from survey.tables import table_read

SCHEMA = ImportSchema(
    items={"a1": "likert", "a2": "likert", "a_comment": "text"},
    scale_labels=("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    profile_choices={
        "side": {"it": "IT", "security": "Security", "other": "Other"},
        "function": {"identity": "Identity and access management"},
        "level": {"manager": "Manager"},
    },
)


def test_table_parse_reports_every_bad_cell_with_line_and_column():
    table = table_read(content=b"side,a1,a2\nIT,4,maybe\nmars,2,\n,1,1\n")
    result = table_parse(table=table, schema=SCHEMA)
    assert [str(problem) for problem in result.problems] == [
        "line 2, column 'a2': 'maybe' is neither a number from 1 to 5 nor a scale label "
        "('Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'); map other "
        "texts in the mapping file's values",
        "line 3, column 'side': unknown side 'mars': expected one of IT, Security, Other "
        "(or map it in the mapping file's values.side)",
        "line 4, column 'side': the side is missing",
    ]


def test_a_long_header_is_named_in_forty_characters():
    """Issue 18: a column's header went whole into every message that named the column."""
    header = "Q" * 100_000
    table = table_read(content=f"side,a1,{header}\nIT,4,x\n".encode())
    result = table_parse(table=table, schema=SCHEMA)
    assert result.warnings == [f"1 column ignored: '{'Q' * 40}…'"]


def test_importing_module_loads_without_django():
    code = (
        "import sys, survey.importing; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
