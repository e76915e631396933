"""Tests of survey.import_messages: the import report in words, for the command and admin."""

from __future__ import annotations

from survey.import_messages import import_column_lines, import_summary_lines
from survey.importing import Column
from survey.services.imports import ImportReport


def report(**changes) -> ImportReport:
    values = {
        "round_slug": "spring",
        "filename": "wave.csv",
        "sha256": "0" * 64,
        "format": "csv",
        "encoding": "utf-8",
        "delimiter": ",",
        "response_count": 3,
        "answer_count": 1,
        "side_counts": {"it": 2, "security": 1},
        "columns": [
            Column(index=0, name="side", kind="profile", target="side"),
            Column(index=1, name="A1", kind="item", target="a1"),
            Column(index=2, name="", kind="", target=""),
        ],
        "attributes": (),
        "warnings": ["1 column ignored: #3"],
        "preview": [],
        "dry_run": False,
    }
    return ImportReport(**{**values, **changes})


def test_summary_says_what_was_imported_per_side_then_the_warnings():
    assert import_summary_lines(report()) == [
        "Imported 3 responses (1 answer) from wave.csv into round spring.",
        "Per side: IT 2, Security 1.",
        "1 column ignored: #3",
    ]


def test_summary_of_a_dry_run_that_replaces_says_nothing_was_written():
    lines = import_summary_lines(report(dry_run=True, response_count=1, replaced_count=1))
    assert lines[0] == (
        "Dry run: would import 1 response (1 answer) from wave.csv into round spring; "
        "nothing was written."
    )
    assert lines[2] == "Would replace 1 response of the earlier import."
    assert import_summary_lines(report(replaced_count=4))[2] == (
        "Replaced 4 responses of the earlier import."
    )


def test_column_lines_say_what_each_column_feeds():
    assert import_column_lines(report()) == [
        "'side' -> profile side",
        "'A1' -> item a1",
        "1 column ignored: #3",
    ]
