"""Response files built in tests: CSV written by the csv module, .xlsx by openpyxl."""

from __future__ import annotations

import csv
import io

import openpyxl


def csv_content(rows, *, delimiter=",", encoding="utf-8", bom=False) -> bytes:
    """Rows written by the csv module (quotes doubled, fields with line breaks quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode(encoding) + buffer.getvalue().encode(encoding)


def xlsx_content(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
