"""Tests of reports.chart_numbers: numbers written as text with a language's separators."""

from __future__ import annotations

import pytest

from reports.chart_numbers import DEFAULT_SEPARATORS, format_number


@pytest.mark.parametrize(
    ("separators", "written"),
    [
        (".,", "1,234.5"),
        (",.", "1.234,5"),
        (",\u202f", "1\u202f234,5"),
        (",\xa0", "1\xa0234,5"),
        (",", "1234,5"),  # no thousands mark: no grouping
    ],
)
def test_format_number_writes_the_decimal_and_thousands_marks(separators, written):
    assert format_number(1234.5, separators) == written


def test_format_number_defaults_to_english_with_one_decimal():
    assert DEFAULT_SEPARATORS == ".,"
    assert format_number(62.5) == "62.5"


@pytest.mark.parametrize(("value", "written"), [(66.7, "+66,7"), (-4.2, "-4,2"), (0.0, "+0,0")])
def test_format_number_signs_a_gap(value, written):
    assert format_number(value, ",.", signed=True) == written


def test_format_number_writes_the_decimals_asked_for():
    assert format_number(62.54, ",.", decimals=2) == "62,54"
    assert format_number(62.5, ",.", decimals=0) == "62"
