"""Tests of reports.exports and the export_csv command."""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.downloads import round_export
from reports.exports import (
    BOM,
    csv_bytes,
    csv_chunks,
    gaps_rows,
    responses_header,
    safe_cell,
    summary_rows,
)


def decode(chunks) -> list[list[str]]:
    data = b"".join(chunks)
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "'-3.5"),  # text that looks like a number is still text
        ("plain, text", "plain, text"),
    ],
)
def test_text_cells_that_could_be_formulas_get_an_apostrophe(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [-3.5, -2, 0, 4, 91.67])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value
    assert decode(csv_bytes([[value]])) == [[str(value)]]


def test_missing_values_are_blank_and_dates_iso():
    assert safe_cell(None) == ""
    assert safe_cell(float("nan")) == ""
    assert safe_cell(pd.NA) == ""
    assert safe_cell(dt.date(2026, 1, 31)) == "2026-01-31"
    assert safe_cell(np.int64(3)) == 3


def test_csv_starts_with_a_bom_and_round_trips_commas_quotes_newlines():
    text = 'He said "no", then\nleft; ünïcode ✓'
    rows = decode(csv_bytes([["comment"], [text]]))
    assert rows == [["comment"], [text]]
    assert b"".join(csv_bytes([["x"]])).startswith(b"\xef\xbb\xbfx\r\n")


def test_responses_header_puts_attributes_after_level_and_items_after_the_month():
    assert responses_header(["a", "b"], ["region", "site"]) == [
        "row",
        "side",
        "function",
        "level",
        "region",
        "site",
        "submitted_month",
        "a",
        "b",
    ]


def test_csv_chunks_write_none_blank_and_match_csv_bytes():
    rows = [["row", "side", "a"], [1, "it", 5], [2, "'=x", None]]
    assert b"".join(csv_chunks([rows[:1], rows[1:]])) == b"".join(csv_bytes(rows))


def test_summary_rows_blank_every_number_of_a_suppressed_group():
    summary = pd.DataFrame(
        {
            "dimension_code": ["a", "a"],
            "attribute": ["side", "side"],
            "group": ["it", "security"],
            "n": pd.array([12, pd.NA], dtype="Int64"),
            "score_mean": [-3.456, np.nan],
            "score_sd": [10.0, np.nan],
            "favourable_pct": [50.0, np.nan],
            "rwg_j": [0.81234, np.nan],
            "ad": [0.5, np.nan],
            "alpha": [0.71234, np.nan],
            "alpha_note": [None, None],
            "polarised": pd.array([True, pd.NA], dtype="boolean"),
            "suppressed": [False, True],
        }
    )
    rows = decode(csv_bytes(summary_rows(summary)))
    assert rows[0][-5:] == ["rwg_j", "ad", "alpha", "alpha_note", "polarised"]
    assert rows[1] == [
        *("a", "side", "it", "12", "-3.46", "10.0", "50.0", "0.812", "0.5", "0.712", "", "true")
    ]
    assert rows[2] == ["a", "side", "security", *[""] * 9]


@pytest.mark.parametrize("note", ["too_few_items", "too_few_respondents", "items_disagree"])
def test_summary_rows_leave_alpha_blank_and_write_why(note):
    """Issue 18: summary.csv wrote a dimension's alpha of −8.1 bare. The analysis gives no
    alpha where it is negative or undefined, and the note says why."""
    summary = pd.DataFrame(
        {
            "dimension_code": ["a"],
            "attribute": ["side"],
            "group": ["it"],
            "n": pd.array([12], dtype="Int64"),
            "score_mean": [40.0],
            "score_sd": [10.0],
            "favourable_pct": [30.0],
            "rwg_j": [0.2],
            "ad": [1.1],
            "alpha": [np.nan],
            "alpha_note": [note],
            "polarised": [False],
            "suppressed": [False],
        }
    )
    header, row = decode(csv_bytes(summary_rows(summary)))
    assert dict(zip(header, row, strict=True))["alpha"] == ""
    assert dict(zip(header, row, strict=True))["alpha_note"] == note


def test_summary_rows_never_write_the_real_n_of_a_suppressed_group():
    summary = pd.DataFrame(
        {
            "dimension_code": ["a"],
            "attribute": ["side"],
            "group": ["security"],
            "n": pd.array([2], dtype="Int64"),  # even if a caller left n in
            "score_mean": [40.0],
            "score_sd": [1.0],
            "favourable_pct": [30.0],
            "rwg_j": [0.9],
            "ad": [0.1],
            "alpha": [0.8],
            "alpha_note": [None],
            "polarised": [False],
            "suppressed": [True],
        }
    )
    assert decode(csv_bytes(summary_rows(summary)))[1] == ["a", "side", "security", *[""] * 9]


@pytest.mark.django_db
def test_unknown_kind_is_an_error(survey_round):
    with pytest.raises(ValueError, match="Unknown export"):
        round_export(round=survey_round, kind="everything")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["responses", "summary", "gaps"])
def test_command_writes_the_same_bytes_as_the_download(
    analyst_client, populated_round, tmp_path, kind
):
    response = analyst_client.get(
        reverse("reports:export", kwargs={"slug": populated_round.slug, "kind": kind})
    )
    downloaded = b"".join(response.streaming_content)
    output = tmp_path / f"{kind}.csv"
    call_command("export_csv", populated_round.slug, "--kind", kind, "--output", str(output))
    assert downloaded.startswith(BOM)
    if kind == "responses":
        # Rows come in a fresh random order within each profile on every export.
        def rows(data: bytes) -> list[list[str]]:
            header, *body = decode([data])
            return [header, *sorted(row[1:] for row in body)]

        assert rows(output.read_bytes()) == rows(downloaded)
    else:
        assert output.read_bytes() == downloaded


@pytest.mark.django_db
def test_command_writes_to_stdout(populated_round):
    out = io.StringIO()
    call_command(
        "export_csv", populated_round.slug, "--kind", "summary", "--output", "-", stdout=out
    )
    assert out.getvalue().startswith("\ufeffdimension_code,attribute,group,n,")


@pytest.mark.django_db
def test_command_stops_quietly_when_the_reader_closes_the_pipe(populated_round):
    """`export_csv … --output - | head -2` (found by a fresh-user trial): no traceback."""

    class Closed(io.BytesIO):
        def write(self, data):
            raise BrokenPipeError

    class Stdout(io.StringIO):
        buffer = Closed()

    call_command(
        "export_csv", populated_round.slug, "--kind", "summary", "--output", "-", stdout=Stdout()
    )


@pytest.mark.django_db
def test_command_rejects_an_unknown_round(db):
    with pytest.raises(CommandError, match="Unknown round 'missing'"):
        call_command("export_csv", "missing", "--kind", "summary", "--output", "-")


def gaps_frame(**overrides) -> pd.DataFrame:
    row = {
        "dimension_code": "a",
        "attribute": "side",
        "group_a": "it",
        "group_b": "security",
        "n_a": 12,
        "n_b": 9,
        "score_a": 70.1234,
        "score_b": 40.0,
        "gap": 30.1234,
        "gap_ci_low": 12.3456,
        "gap_ci_high": 47.9012,
        "rank_biserial": 0.81234,
        "p_value": 1.234567891e-9,
        "q_value": 0.0123456789,
        "status": "breakdown",
        "suppressed_a": False,
        "suppressed_b": False,
        "suppressed": False,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_gaps_rows_round_and_keep_tiny_p_values():
    rows = decode(csv_bytes(gaps_rows(gaps_frame())))
    assert rows[0] == [
        "dimension_code",
        "attribute",
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "score_a",
        "score_b",
        "gap",
        "gap_ci_low",
        "gap_ci_high",
        "rank_biserial",
        "p_value",
        "q_value",
        "status",
    ]
    assert rows[1] == [
        "a",
        "side",
        "it",
        "security",
        "12",
        "9",
        "70.12",
        "40.0",
        "30.12",
        "12.3",
        "47.9",
        "0.81",
        "1.23e-09",
        "0.0123",
        "breakdown",
    ]


def test_gaps_rows_blank_every_number_of_a_suppressed_side():
    frame = gaps_frame(suppressed_b=True, suppressed=True, status="suppressed", n_b=2, score_b=10.0)
    rows = decode(csv_bytes(gaps_rows(frame)))
    # even if a caller left B's n and score in, they are not written
    assert rows[1] == ["a", "side", "it", "security", "12", "", "70.12", *[""] * 7, "suppressed"]


@pytest.mark.django_db
def test_command_exports_gaps_of_any_comparison(populated_round):
    out = io.StringIO()
    call_command(
        "export_csv",
        populated_round.slug,
        "--kind",
        "gaps",
        "--attribute",
        "side",
        "--group-a",
        "security",
        "--group-b",
        "it",
        "--output",
        "-",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert rows[1][:9] == ["a", "side", "security", "it", "5", "6", "25.0", "91.67", "-66.67"]


@pytest.mark.django_db
def test_command_rejects_an_unknown_group(populated_round):
    with pytest.raises(CommandError, match="Comparing by Level: choose two of its groups"):
        call_command(
            "export_csv",
            populated_round.slug,
            "--kind",
            "gaps",
            "--attribute",
            "level",
            "--group-a",
            "boss",
            "--output",
            "-",
        )


@pytest.mark.parametrize("kind", ["summary", "gaps"])
def test_a_round_with_fewer_than_k_respondents_exports_a_header_only(
    survey_round, make_responses, kind
):
    """Found by the audit trail's test (issue 16): summary.csv and gaps.csv of a round with
    1..k−1 respondents broke off with an AttributeError (no figures to write)."""
    make_responses(survey_round, [("it", {"a1": 3})] * 2)
    rows = decode(round_export(round=survey_round, kind=kind))
    assert len(rows) == 1
    assert rows[0][0] == "dimension_code"
