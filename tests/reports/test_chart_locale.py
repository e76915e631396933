"""Tests of reports.chart_locale: Plotly's separators from Django's locale formats."""

from __future__ import annotations

import pytest
from django.utils import formats, translation

from reports.chart_locale import plotly_separators


@pytest.mark.parametrize(
    ("language", "decimal"), [("en", "."), ("fr", ","), ("de", ","), ("es", ",")]
)
def test_separators_are_the_languages_decimal_then_thousands_mark(language, decimal):
    """The thousands mark is Django's for the language (a no-break space in French)."""
    separators = plotly_separators(language)
    assert separators[0] == decimal
    assert separators[1:] == formats.get_format("THOUSAND_SEPARATOR", language)
    assert len(separators) == 2


def test_separators_read_the_active_language():
    assert plotly_separators("en") == ".,"
    with translation.override("de"):
        assert plotly_separators() == ",."
    with translation.override("fr"):
        assert plotly_separators()[0] == ","


def test_a_format_that_is_not_one_character_falls_back(monkeypatch):
    """A project's own format module could give a longer mark; Plotly reads one character."""
    marks = {"DECIMAL_SEPARATOR": "::", "THOUSAND_SEPARATOR": "'"}
    monkeypatch.setattr(formats, "get_format", lambda name, lang=None: marks[name])
    assert plotly_separators("en") == ".'"
    marks.update(DECIMAL_SEPARATOR=",", THOUSAND_SEPARATOR=",")
    assert plotly_separators("en") == ","  # a thousands mark like the decimal one is left out
    marks.update(THOUSAND_SEPARATOR="")
    assert plotly_separators("en") == ","
