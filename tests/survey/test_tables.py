"""Tests of survey.tables: reading a response file's bytes (CSV or .xlsx) into cells."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.tables import ImportFileError, counted, name_cut, names_summary, table_read
from tests.survey.import_files import csv_content, xlsx_content


def test_table_read_sniffs_semicolons():
    table = table_read(content=b"side;a1;a_comment\nIT;4;ok, fine\n")
    assert table.delimiter == ";"
    assert table.headers == ["side", "a1", "a_comment"]
    assert table.rows == [(2, ["IT", "4", "ok, fine"])]


def test_table_read_sniffs_tabs():
    table = table_read(content=b"side\ta1\ta_comment\nIT\t4\tok; fine, really\n")
    assert table.delimiter == "\t"
    assert table.rows[0][1] == ["IT", "4", "ok; fine, really"]


def test_table_read_drops_the_byte_order_mark_before_the_first_header():
    table = table_read(content=csv_content([["side", "a1"], ["it", "3"]], bom=True))
    assert table.headers == ["side", "a1"]
    assert table.encoding == "utf-8"


def test_table_read_falls_back_to_windows_1252():
    table = table_read(
        content=csv_content([["side", "a_comment"], ["it", "café"]], encoding="cp1252")
    )
    assert table.encoding == "cp1252"
    assert table.rows[0][1] == ["it", "café"]


def test_table_read_uses_the_chosen_encoding():
    content = csv_content([["side", "a_comment"], ["it", "café"]], encoding="cp1252")
    with pytest.raises(ImportFileError, match=r"not utf-8 text: byte 0xe9 on line 2"):
        table_read(content=content, encoding="utf-8")
    assert table_read(content=content, encoding="cp1252").rows[0][1][1] == "café"


def test_table_read_reads_utf16_unicode_text_from_excel():
    content = "side\ta_comment\r\nit\tcafé\r\n".encode("utf-16")
    table = table_read(content=content)
    assert (table.encoding, table.delimiter) == ("utf-16-le", "\t")
    assert table.rows == [(2, ["it", "café"])]


def test_table_read_drops_a_utf8_mark_even_when_windows_1252_is_chosen():
    table = table_read(
        content=csv_content([["side", "a1"], ["it", "3"]], bom=True), encoding="cp1252"
    )
    assert table.headers == ["side", "a1"]


def test_table_read_keeps_quoted_line_breaks_and_doubled_quotes_and_counts_lines():
    content = b'side,a_comment\nit,"first line\nsecond ""quoted"" line"\nsecurity,next\n'
    table = table_read(content=content)
    assert table.rows == [
        (2, ["it", 'first line\nsecond "quoted" line']),
        (4, ["security", "next"]),
    ]


def test_table_read_takes_blank_names_from_later_header_rows():
    content = csv_content(
        [
            ["Which side?", "How do you rate:", "", "Comment"],
            ["Response", "Statement one", "Statement two", "Open-Ended Response"],
            ["IT", "4", "5", ""],
        ]
    )
    table = table_read(content=content, header_rows=2)
    assert table.headers == ["Which side?", "How do you rate:", "Statement two", "Comment"]
    assert table.rows == [(3, ["IT", "4", "5", ""])]


def test_table_read_reads_xlsx_cells_with_their_types():
    content = xlsx_content([["side", "a1", "submitted_on"], ["IT", 4, dt.date(2026, 3, 1)]])
    table = table_read(content=content, filename="anything.csv")
    assert table.format == "xlsx"
    assert table.rows[0][0] == 2
    assert table.rows[0][1][:2] == ["IT", 4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"side,a1\n", "no responses below"),
        (bytes(range(256)) * 4, "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, r"\.xls"),
        (b"PK\x03\x04 this is not really a zip", "not a readable .xlsx"),
        (b"\x01\x02\x03\x04\x05side,a1\x06\x07\nit\x08,3\x0b\x0c\n", "binary data"),
    ],
)
def test_table_read_refuses_what_it_cannot_read(content, message):
    with pytest.raises(ImportFileError, match=message):
        table_read(content=content)


def test_table_read_rejects_a_bad_number_of_header_rows():
    with pytest.raises(ImportFileError, match="header rows"):
        table_read(content=b"side,a1\nit,3\n", header_rows=0)


def test_names_summary_gives_a_few_names_and_counts_the_rest():
    names = [f"c{i}" for i in range(1, 20_001)]
    assert names_summary(names) == "c1, c2, c3, c4, c5 and 19,995 more"
    assert names_summary(names[:5]) == "c1, c2, c3, c4, c5"
    assert names_summary(names[:6], shown=2) == "c1, c2 and 4 more"
    assert names_summary([]) == ""


def test_counted_and_name_cut():
    assert (counted(1, "column"), counted(20_000, "column")) == ("1 column", "20,000 columns")
    assert counted(2, "reply", "replies") == "2 replies"
    assert name_cut("x" * 40) == "x" * 40
    assert name_cut("x" * 41) == "x" * 40 + "…"
