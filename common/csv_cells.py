"""CSV a spreadsheet opens safely: the one formula-injection rule and the row encoder.

Every CSV the product writes (the round exports of ``reports.exports``, the audit trail of
``audit.admin``) encodes its cells here, so a cell that a spreadsheet would evaluate is
quoted the same way everywhere. Pure: no Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

BOM = "\ufeff".encode()
# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write() hands the line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: Any) -> Any:
    """Make one cell safe to open in a spreadsheet.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe so
    it is shown, not evaluated. Real numbers (int, float, numpy numbers; not bool) pass
    unchanged, so
    ``-3.5`` stays a number, while the *text* "-3.5" is quoted. None and NaN become blank;
    dates (and datetimes) are written in ISO format.
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Real):
        number = value.item() if hasattr(value, "item") else value  # numpy -> Python
        return "" if isinstance(number, float) and math.isnan(number) else number
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[bytes]:
    """Encode rows as CSV: the BOM first (unless ``bom`` is False), then one UTF-8 chunk
    per row, every cell (the header's too) made safe by :func:`safe_cell`."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row]).encode("utf-8")
