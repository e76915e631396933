"""How the figures write numbers: Plotly's separators and the numbers written as text in
Python with them (bar labels, hover texts), so both read alike. Pure (no Django)."""

from __future__ import annotations

# Plotly's ``layout.separators``: the decimal mark, then the thousands mark (English).
DEFAULT_SEPARATORS = ".,"


def format_number(
    value: float, separators: str = DEFAULT_SEPARATORS, *, decimals: int = 1, signed: bool = False
) -> str:
    """``value`` with ``decimals`` decimals (and a sign when ``signed``: "+2.5"), written with
    ``separators`` as Plotly's ``layout.separators`` has them (decimal mark, then thousands
    mark; none when there is no second character): ``format_number(1234.5, ",.")`` is
    "1.234,5"."""
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    return text.translate({ord("."): separators[:1] or ".", ord(","): separators[1:2]})
