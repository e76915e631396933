"""Reading a response file's bytes (CSV or an ``.xlsx`` workbook) into a table of cells.

Pure: no Django. CSV text is decoded by :mod:`survey.encodings` (UTF-8, UTF-16 or UTF-32,
plausible Windows-1252, or an encoding named) and separated by commas, semicolons or tabs
(sniffed); a workbook is read from its first sheet.
Every step of an import reports what is wrong with the file as :class:`Problem` values in an
:class:`ImportFileError`, defined here with the first step. What the cells mean is decided
later, by :mod:`survey.importing`.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from survey import encodings

DELIMITERS = (",", ";", "\t")
SNIFF_SAMPLE_CHARS = 64 * 1024
XLSX_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_HEADER_ROWS = 10
MAX_PROBLEMS_SHOWN = 50
NAMES_SHOWN = 5  # names a summary of a long list gives before "and N more"
NAME_CHARS = 40  # a name longer than this is cut in messages

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_XLSX_UNREADABLE = "The file is not a readable .xlsx workbook (save it again as .xlsx or CSV)."


# --- problems -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file; ``line`` is 1-based, ``column`` a header label."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportFileError(ValueError):
    """A file that cannot be imported. ``problems`` lists every problem found, in file order.

    The message gives the first :data:`MAX_PROBLEMS_SHOWN` problems and the total count.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems = list(problems) or [Problem(None, None, message)]
        super().__init__(message)


def problems_message(problems: Sequence[Problem], *, filename: str = "") -> str:
    """Format problems for people: a heading with the count, then one line per problem
    (the first :data:`MAX_PROBLEMS_SHOWN`), then how many more were left out."""
    count = len(problems)
    name = f" in {filename}" if filename else ""
    noun = "problem" if count == 1 else "problems"
    lines = [f"Nothing was imported: {count} {noun}{name}."]
    lines += [f"- {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if count > MAX_PROBLEMS_SHOWN:
        lines.append(f"… and {count - MAX_PROBLEMS_SHOWN} more.")
    return "\n".join(lines)


def counted(count: int, noun: str, plural: str = "") -> str:
    """``count`` and the noun it takes: ``1 column``, ``20,000 columns``."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def name_cut(name: str) -> str:
    """``name`` cut to NAME_CHARS characters, with an ellipsis when it was longer."""
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS] + "…"


def names_summary(names: Sequence[str], *, shown: int = NAMES_SHOWN) -> str:
    """Names from a file for people, however many: all of them when there are at most
    ``shown``, else the first ``shown`` and how many more:
    ``"'c1', 'c2', 'c3', 'c4', 'c5' and 19,995 more"``. The names come as shown (a column's
    ``label``, a text through :func:`name_cut`); the caller says what they are, as in
    ``f"{counted(n, 'column')} ignored: {names_summary(labels)}"``."""
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" and {len(names) - shown:,} more"
    return text


def _fail(problems: Sequence[Problem], *, filename: str = "") -> ImportFileError:
    return ImportFileError(problems_message(problems, filename=filename), problems)


def cell_blank(value: Any) -> bool:
    """A cell that holds nothing: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


# --- reading the file ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Table:
    """A file read into cells.

    ``headers`` holds one name per column (``""`` when the header rows leave it blank);
    ``rows`` holds ``(line, cells)`` pairs, ``line`` being the 1-based line where the record
    starts in a CSV file (as a text editor counts) or the sheet row in a workbook. Cells are
    ``str`` in CSV; a workbook also gives ``int``, ``float``, ``bool``, ``datetime`` or None.
    Blank lines are left out.
    """

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    format: str  # "csv" | "xlsx"
    encoding: str = ""
    delimiter: str = ""


ENCODING_ADVICE = (
    "Save it as CSV UTF-8, or name its encoding: --encoding in the import_responses command, "
    "Text encoding in the admin."
)


def encoding_check(encoding: str | None) -> str | None:
    """Return the codec used for a chosen encoding name (None: detect), or raise
    ImportFileError for a name that is not a text encoding (see
    :func:`survey.encodings.encoding_check`)."""
    try:
        return encodings.encoding_check(encoding)
    except encodings.EncodingError as exc:
        raise ImportFileError(str(exc)) from None


def table_read(
    *, content: bytes, header_rows: int = 1, encoding: str | None = None, filename: str = ""
) -> Table:
    """Read the bytes of a CSV file or an ``.xlsx`` workbook into a :class:`Table`.

    The format is recognised from the content, not the name: a ZIP archive is read as an
    ``.xlsx`` workbook (first sheet), anything else as CSV text. ``header_rows`` (1..10) is how
    many rows at the top are headers: the first names the columns, and a blank name there is
    taken from the next header rows (SurveyMonkey writes 2 rows, Qualtrics 3). ``encoding``
    names the text encoding of a CSV file (``utf-8``, ``cp1252``, ``shift_jis``, any Python
    reads); None detects it by the rule of :mod:`survey.encodings` (a byte-order mark, UTF-16 or
    UTF-32 by their zero bytes, UTF-8, else plausible Windows-1252). The CSV delimiter (comma,
    semicolon or tab) is sniffed. ``filename`` only serves to refuse a ``.xlsx`` name on
    content that is not one.

    Raises ImportFileError for an empty file, binary data, a legacy ``.xls`` or unreadable
    workbook, text that does not decode, a malformed CSV record, or no data rows.
    """
    if not isinstance(header_rows, int) or not 1 <= header_rows <= MAX_HEADER_ROWS:
        raise ImportFileError(
            f"The number of header rows must be a whole number from 1 to {MAX_HEADER_ROWS}."
        )
    codec = encoding_check(encoding)
    if not content or not content.strip() or content.strip() == codecs.BOM_UTF8:
        raise ImportFileError("The file is empty.")
    if content.startswith(_OLE_MAGIC):
        raise ImportFileError(
            "This is an old-style Excel workbook (.xls): save it as .xlsx or CSV and try again."
        )
    if filename.lower().endswith(".xlsx") and not content.startswith(_ZIP_MAGIC):
        raise ImportFileError(_XLSX_UNREADABLE)
    if content.startswith(_ZIP_MAGIC):
        records = list(_xlsx_records(content))
        table_format, used_encoding, delimiter = "xlsx", "", ""
    else:
        text, used_encoding = _decode(content, codec)
        delimiter = _delimiter_guess(text[:SNIFF_SAMPLE_CHARS])
        records = list(_csv_records(text, delimiter))
        table_format = "csv"
    records = [(line, cells) for line, cells in records if not all(map(cell_blank, cells))]
    if not records:
        raise ImportFileError("The file holds no rows.")
    if header_rows > len(records):
        kind = "row" if table_format == "xlsx" else "line"
        raise ImportFileError(
            f"{counted(header_rows, 'header row')} were asked for, but the file has only "
            f"{counted(len(records), kind)} (blank ones not counted): set the number of header "
            "rows to the rows above the first response."
        )
    header_records = records[:header_rows]
    rows = records[header_rows:]
    if not rows:
        raise ImportFileError(
            f"The file has {len(header_records)} header row(s) but no responses below them."
        )
    return Table(
        headers=_headers(header_records),
        rows=rows,
        format=table_format,
        encoding=used_encoding,
        delimiter=delimiter,
    )


def _headers(header_records: list[tuple[int, list[Any]]]) -> list[str]:
    width = max(len(cells) for _line, cells in header_records)
    headers = []
    for index in range(width):
        name = ""
        for _line, cells in header_records:
            cell = cells[index] if index < len(cells) else None
            if not cell_blank(cell):
                name = " ".join(str(cell).split())
                break
        headers.append(name.lstrip("\ufeff").strip())
    return headers


def _decode(content: bytes, codec: str | None) -> tuple[str, str]:
    """Decode CSV bytes by :func:`survey.encodings.text_decode`; return the text and the name
    of the encoding used. Text full of control characters is binary data."""
    try:
        text, used = encodings.text_decode(content, codec)
    except encodings.EncodingError as exc:
        raise ImportFileError(f"{exc} {ENCODING_ADVICE}") from None
    controls = sum(1 for char in text[:SNIFF_SAMPLE_CHARS] if _is_control(char))
    if controls > max(2, len(text[:SNIFF_SAMPLE_CHARS]) // 100):
        raise ImportFileError(
            "The file is neither CSV text nor an .xlsx workbook: it contains binary data."
        )
    return text, used


def _is_control(char: str) -> bool:
    return (ord(char) < 32 and char not in "\t\r\n") or char == "\x7f"


def _first_record_width(sample: str, delimiter: str) -> int:
    try:
        row = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return 0
    return len(row)


def _delimiter_guess(sample: str) -> str:
    """Comma, semicolon or tab: the sniffer's choice if it splits the header, else the one
    that splits the header into the most columns (comma on a tie)."""
    widths = {delimiter: _first_record_width(sample, delimiter) for delimiter in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in widths and widths[sniffed] > 1 and widths[sniffed] == max(widths.values()):
        return sniffed
    return max(DELIMITERS, key=lambda delimiter: widths[delimiter])


def csv_error_text(exc: csv.Error) -> str:
    """What a ``csv.Error`` from reading a record means, for people: a field over Python's
    size limit (:func:`csv.field_size_limit`, 131,072 characters) says so and why it
    usually happens; any other error is given as the csv module words it."""
    if "field larger than field limit" in str(exc):
        return (
            f"a field is longer than {csv.field_size_limit():,} characters; a quote that is "
            "opened and never closed makes the rest of the file one field, so check the quotes "
            "on this line"
        )
    return f"this CSV record cannot be read: {exc}"


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line where the record starts, cells)``; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _fail([Problem(line, None, csv_error_text(exc))]) from None


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Yield ``(sheet row, cells)`` of the workbook's first sheet (values, not formulas)."""
    try:
        import openpyxl  # imported here: only workbooks need it
    except ImportError:  # pragma: no cover - openpyxl is in requirements.txt
        raise ImportFileError("Reading .xlsx files needs the openpyxl package.") from None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_XLSX_UNREADABLE) from None
    if unpacked > XLSX_MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError("The workbook is too large once unpacked.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some tools write a wrong sheet size
            rows = [
                (number, list(values))
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    except Exception:  # openpyxl raises many kinds on a damaged file; none may escape
        raise ImportFileError(_XLSX_UNREADABLE) from None
    yield from rows
