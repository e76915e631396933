"""Tests of survey.invitees: reading invitee lists (CSV files and pasted addresses)."""

from __future__ import annotations

import pytest

from survey.invitees import InviteeListError, invitees_read_csv, invitees_read_text


def test_csv_with_semicolons_and_a_bom_and_extra_columns_is_read():
    rows = invitees_read_csv("\ufeffName;E-mail;Side\nAna;ana@example.org;IT\n\n".encode())
    assert [(row.line, row.email, row.side) for row in rows] == [(2, "ana@example.org", "IT")]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is empty"),
        (b"name,side\nAna,IT\n", "Line 1: no email column"),
        (b"email,side\n\n", "no invitees"),
    ],
)
def test_a_csv_without_invitees_is_refused(content, problem):
    with pytest.raises(InviteeListError, match=problem):
        invitees_read_csv(content)


def test_pasted_addresses_keep_the_address_of_a_name_and_the_line():
    rows = invitees_read_text("Ana Lopez <ana@example.org>; ben@example.org\n\n cy@example.org ,")
    assert [(row.line, row.email) for row in rows] == [
        (1, "ana@example.org"),
        (1, "ben@example.org"),
        (3, "cy@example.org"),
    ]
    with pytest.raises(InviteeListError, match="No address"):
        invitees_read_text(" \n ;, ")


def test_a_quoted_name_with_a_comma_is_one_address_and_typos_are_kept_as_typed():
    rows = invitees_read_text('"Doe, Jane" <jane@example.org>, bob@example.org\nx@y <z')
    assert [(row.line, row.email) for row in rows] == [
        (1, "jane@example.org"),
        (1, "bob@example.org"),
        (2, "x@y <z"),  # what was typed, so the error message names it
    ]


def test_invitee_files_are_decoded_like_every_upload():
    """Issue 18: a UTF-16 list (Excel's Unicode text) was read as Windows-1252 garbage."""
    rows = invitees_read_csv("Email\tSide\r\nana@example.org\tIT\r\n".encode("utf-16"))
    assert [(row.email, row.side) for row in rows] == [("ana@example.org", "IT")]
    with pytest.raises(InviteeListError, match=r"not UTF-8 text.*Save it as CSV UTF-8"):
        invitees_read_csv("email,site\nana@example.org,東京\n".encode("shift_jis"))
