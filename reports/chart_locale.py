"""What the figures take from the reader's language: Plotly's number separators, read from
Django's locale formats, which write the pages' numbers too (issue 17)."""

from __future__ import annotations

from django.utils import formats, translation

from reports.chart_numbers import DEFAULT_SEPARATORS


def plotly_separators(language: str | None = None) -> str:
    """Plotly's ``layout.separators`` for ``language`` (default: the active one): Django's
    ``DECIMAL_SEPARATOR`` then ``THOUSAND_SEPARATOR`` of that language, e.g. ".," in English,
    ",." in German, ",\\xa0" in French and Spanish. A decimal mark that is not one character
    becomes "."; a thousands mark that is not one character, or is the decimal mark, is left
    out (Plotly then groups no thousands)."""
    language = language or translation.get_language()
    decimal = str(formats.get_format("DECIMAL_SEPARATOR", language))
    thousands = str(formats.get_format("THOUSAND_SEPARATOR", language))
    if len(decimal) != 1:
        decimal = DEFAULT_SEPARATORS[0]
    if len(thousands) != 1 or thousands == decimal:
        thousands = ""
    return decimal + thousands
