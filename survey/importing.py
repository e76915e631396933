"""Reading response files from other survey tools into plain rows. Pure: no Django.

The format is documented in ``docs/import-format.md``. Three steps, each a function:

1. :func:`table_read` turns the bytes of a CSV file (comma, semicolon or tab; UTF-8 with or
   without a byte-order mark, Windows-1252 or UTF-16) or of an ``.xlsx`` workbook into a
   :class:`Table`: column names and data rows, each with its line number in the file.
2. :func:`mapping_parse` reads an optional mapping file (YAML) into a :class:`ColumnMapping`:
   which column is which item or profile field, and which texts stand for which values.
3. :func:`table_parse` maps the table's columns onto an :class:`ImportSchema` (the round's
   items, scale and profile choices) and converts every cell, returning the rows and every
   problem found, each with its line and column.

Nothing here writes anything: ``survey.services.responses_import`` validates the rows with the
same checks as collected responses and stores them in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import yaml

# Profile fields every response has; ``side`` is required.
PROFILE_FIELDS = ("side", "function", "level")
SUBMITTED_ON = "submitted_on"
RESERVED_TARGETS = frozenset((*PROFILE_FIELDS, SUBMITTED_ON))
# Other columns of responses.csv (reports.exports) and of the answers frames: an attribute
# of the same name would make a duplicate column, so an export could not be imported back.
EXPORT_COLUMNS = frozenset({"row", "submitted_month", "response_id", "item_code", "value"})
# Name of the ``values`` entry of a mapping file that applies to every Likert item.
LIKERT_VALUES = "likert"
IGNORE = "ignore"

DELIMITERS = (",", ";", "\t")
SNIFF_SAMPLE_CHARS = 64 * 1024
XLSX_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_HEADER_ROWS = 10
MAX_PROBLEMS_SHOWN = 50
ATTRIBUTE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ATTRIBUTE_VALUE_MAX = 100
WHOLE_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
# A cell that the CSV export protected against formula injection: an apostrophe, then a
# character a spreadsheet would evaluate (see reports.exports.safe_cell).
PROTECTED_CELL_RE = re.compile(r"^'(?=[=+\-@\t\r])")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_XLSX_UNREADABLE = "The file is not a readable .xlsx workbook (save it again as .xlsx or CSV)."
_ENCODING_ALIASES = {
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "utf-16": "utf-16",
}


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


def _fail(problems: Sequence[Problem], *, filename: str = "") -> ImportFileError:
    return ImportFileError(problems_message(problems, filename=filename), problems)


def normalise(text: Any) -> str:
    """Compare texts loosely: surrounding spaces stripped, inner runs of spaces made one,
    case folded. ``" Strongly  AGREE "`` and ``"strongly agree"`` are the same."""
    return " ".join(str(text).split()).casefold()


def _blank(value: Any) -> bool:
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


def encoding_check(encoding: str | None) -> str | None:
    """Return the codec used for a chosen encoding name (None: detect), or raise
    ImportFileError for an encoding this importer does not read."""
    if encoding is None or encoding == "" or encoding == "auto":
        return None
    codec = _ENCODING_ALIASES.get(encoding.strip().lower())
    if codec is None:
        choices = "utf-8, cp1252"
        raise ImportFileError(f"Unknown encoding {encoding!r}: choose {choices} or leave it out.")
    return codec


def table_read(
    *, content: bytes, header_rows: int = 1, encoding: str | None = None, filename: str = ""
) -> Table:
    """Read the bytes of a CSV file or an ``.xlsx`` workbook into a :class:`Table`.

    The format is recognised from the content, not the name: a ZIP archive is read as an
    ``.xlsx`` workbook (first sheet), anything else as CSV text. ``header_rows`` (1..10) is how
    many rows at the top are headers: the first names the columns, and a blank name there is
    taken from the next header rows (SurveyMonkey writes 2 rows, Qualtrics 3). ``encoding``
    (``utf-8`` or ``cp1252``; None detects: UTF-16 by its byte-order mark, else UTF-8 with or
    without a byte-order mark, else Windows-1252). The CSV delimiter (comma, semicolon or tab)
    is sniffed. ``filename`` only serves to refuse a ``.xlsx`` name on content that is not one.

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
    records = [(line, cells) for line, cells in records if not all(map(_blank, cells))]
    if not records:
        raise ImportFileError("The file holds no rows.")
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
            if not _blank(cell):
                name = " ".join(str(cell).split())
                break
        headers.append(name.lstrip("\ufeff").strip())
    return headers


def _decode(content: bytes, codec: str | None) -> tuple[str, str]:
    """Decode CSV bytes; return the text and the name of the encoding used."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and codec in (
        None,
        "utf-16",
    ):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError("The file starts like UTF-16 text but does not decode.") from None
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]  # UTF-8 whatever was chosen; drop the mark
        codec = "utf-8-sig" if codec is None else codec
    if b"\x00" in content:
        raise ImportFileError(
            "The file is neither CSV text nor an .xlsx workbook: it contains binary data."
        )
    candidates = [codec] if codec else ["utf-8-sig", "cp1252"]
    errors: list[UnicodeDecodeError] = []
    for name in candidates:
        try:
            text = content.decode(name)
        except UnicodeDecodeError as exc:
            errors.append(exc)
            continue
        controls = sum(1 for char in text[:SNIFF_SAMPLE_CHARS] if _is_control(char))
        if controls > max(2, len(text[:SNIFF_SAMPLE_CHARS]) // 100):
            raise ImportFileError(
                "The file is neither CSV text nor an .xlsx workbook: it contains binary data."
            )
        return text, "utf-8" if name == "utf-8-sig" else name
    error = errors[-1]
    line = content[: error.start].count(b"\n") + 1
    shown = "UTF-8 or Windows-1252" if codec is None else codec.replace("-sig", "")
    raise ImportFileError(
        f"The file is not {shown} text: byte 0x{content[error.start]:02x} on line {line} "
        "cannot be read. Save it as CSV UTF-8 and try again."
    )


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


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line where the record starts, cells)``; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _fail([Problem(line, None, f"this CSV record cannot be read: {exc}")]) from None


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


# --- the mapping file ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ColumnMapping:
    """A parsed mapping file.

    ``columns``: normalised column name -> target (an item code, ``side``, ``function``,
    ``level``, ``submitted_on``, an attribute name) or None to ignore the column.
    ``values``: target (or ``likert`` for every Likert item) -> normalised text -> value
    (a scale point for items, a choice value or text for profile fields and attributes).
    ``attributes``: extra profile attributes to keep. ``date_format``: a ``strptime`` format
    for ``submitted_on`` (None: ISO 8601).
    """

    columns: dict[str, str | None] = dataclasses.field(default_factory=dict)
    values: dict[str, dict[str, int | str]] = dataclasses.field(default_factory=dict)
    attributes: tuple[str, ...] = ()
    date_format: str | None = None


class _NoBoolLoader(yaml.SafeLoader):
    """The safe loader without YAML 1.1 booleans, so a value text such as ``Yes`` or ``No``
    stays text instead of becoming True or False."""


_NoBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

MAPPING_KEYS = ("columns", "values", "attributes", "date_format")


def mapping_parse(*, text: str, source: str = "mapping file") -> ColumnMapping:
    """Parse mapping YAML into a :class:`ColumnMapping`.

    Keys (all optional): ``columns`` (column name -> target or ``ignore``/null), ``values``
    (target or ``likert`` -> {text: value}), ``attributes`` (list of names: lowercase letter,
    then lowercase letters, digits or ``_``), ``date_format`` (``strptime`` format).
    Targets are checked against the round later, by :func:`table_parse`.

    Raises ImportFileError naming each key with a problem.
    """
    try:
        data = yaml.load(text, Loader=_NoBoolLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ImportFileError(f"The {source} is not valid YAML{where}: {problem}.") from None
    if data is None:
        return ColumnMapping()
    errors: list[str] = []
    if not isinstance(data, dict):
        raise ImportFileError(f"The {source} must be a mapping with the keys {MAPPING_KEYS}.")
    errors += [
        f"{key}: unknown key; allowed keys are {', '.join(MAPPING_KEYS)}"
        for key in data
        if key not in MAPPING_KEYS
    ]
    columns: dict[str, str | None] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        errors.append("columns: must map column names to item codes or profile fields")
        raw_columns = {}
    for name, target in raw_columns.items():
        if target is None or (isinstance(target, str) and target.strip().lower() == IGNORE):
            columns[normalise(name)] = None
        elif isinstance(target, str) and target.strip():
            columns[normalise(name)] = target.strip()
        else:
            errors.append(f"columns.{name}: must be an item code, a profile field or 'ignore'")
    values: dict[str, dict[str, int | str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        errors.append("values: must map targets to {text: value} mappings")
        raw_values = {}
    for target, table in raw_values.items():
        if not isinstance(table, dict):
            errors.append(f"values.{target}: must map texts to values")
            continue
        converted: dict[str, int | str] = {}
        for text_key, value in table.items():
            if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
                errors.append(f"values.{target}.{text_key}: must be a number or a text")
                continue
            converted[normalise(text_key)] = value.strip() if isinstance(value, str) else value
        values[str(target).strip()] = converted
    attributes = data.get("attributes") or []
    if isinstance(attributes, str):
        attributes = [attributes]
    if not isinstance(attributes, list):
        errors.append("attributes: must be a list of names")
        attributes = []
    for name in attributes:
        problem = attribute_name_problem(name)
        if problem:
            errors.append(f"attributes: {problem}")
    date_format = data.get("date_format")
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        errors.append("date_format: must be a strptime format such as '%d/%m/%Y'")
        date_format = None
    if errors:
        problems = [Problem(None, None, f"{source}: {error}") for error in errors]
        raise ImportFileError(problems_message(problems), problems)
    return ColumnMapping(
        columns=columns,
        values=values,
        attributes=tuple(dict.fromkeys(str(name) for name in attributes)),
        date_format=date_format,
    )


def attribute_name_problem(name: Any) -> str:
    """Return why ``name`` cannot name a profile attribute, or ``""`` if it can."""
    if not isinstance(name, str) or not ATTRIBUTE_NAME_RE.match(name):
        return (
            f"{name!r} is not an attribute name: use a lowercase letter, then up to 39 "
            "lowercase letters, digits or '_'"
        )
    if name in RESERVED_TARGETS:
        return f"{name!r} is already a profile field"
    if name in EXPORT_COLUMNS:
        return f"{name!r} names a column of the responses export"
    return ""


# --- mapping columns and converting cells -------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ImportSchema:
    """What a round accepts: ``items`` (code -> ``likert`` | ``text``, instrument order),
    ``scale_labels`` (lowest point first), ``profile_choices`` (``side``/``function``/
    ``level`` -> {stored value: label}) and ``attribute_choices`` (the round's declared
    profile attributes: name -> its choices; such columns are attributes without a mapping,
    and their cells must be one of the choices)."""

    items: dict[str, str]
    scale_labels: tuple[str, ...]
    profile_choices: dict[str, dict[str, str]]
    attribute_choices: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of the file and what it feeds: ``kind`` is ``item``, ``profile``,
    ``attribute``, ``submitted_on`` or ``""`` (ignored); ``target`` the code or field name."""

    index: int
    name: str
    kind: str
    target: str

    @property
    def label(self) -> str:
        """How messages name the column: its header in quotes, or its position."""
        return repr(self.name) if self.name else f"#{self.index + 1}"


@dataclasses.dataclass
class ParsedRow:
    """One respondent as read from the file (values converted, not yet validated)."""

    line: int
    side: str = ""
    function: str = ""
    level: str = ""
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    answers: dict[str, int | str] = dataclasses.field(default_factory=dict)
    submitted_on: dt.date | None = None


@dataclasses.dataclass
class ParseResult:
    """What :func:`table_parse` found: the columns, the rows, problems and warnings."""

    columns: list[Column]
    rows: list[ParsedRow]
    problems: list[Problem]
    warnings: list[str]
    attributes: tuple[str, ...]

    def column_for(self, target: str) -> Column | None:
        """The column that feeds ``target`` (an item code or a field name), if any."""
        return next((column for column in self.columns if column.target == target), None)


def table_parse(
    *,
    table: Table,
    schema: ImportSchema,
    mapping: ColumnMapping | None = None,
    attributes: Iterable[str] = (),
    strict: bool = False,
    today: dt.date | None = None,
    zone: dt.tzinfo | None = None,
) -> ParseResult:
    """Map the table's columns onto ``schema`` and convert every cell.

    A column feeds, in this order of precedence: the target the mapping gives its name; an
    item whose code is its name; the profile field or ``submitted_on`` it is named after; a
    declared attribute (the schema's ``attribute_choices``, ``attributes`` here or in the
    mapping) it is named after. Names compare case-insensitively and ignoring surrounding
    spaces. Other columns are ignored, or are problems when ``strict``.

    Cells: blank is a missing answer. A Likert cell is a whole number or one of the scale
    labels (case and spaces ignored), after the mapping's ``values`` for that item or for
    ``likert``; its range is checked later, by the service. A profile cell is a stored value
    or label of the choice (``IT``, ``security``, ...), after the mapping's values; the side
    is required. An attribute the schema gives choices for takes one of them (case and spaces
    ignored, stored as declared); other attributes take any short text. ``submitted_on`` is
    an ISO date or date-time (converted to ``zone`` when it has an offset) or follows the
    mapping's ``date_format``; it may not be after ``today``.

    Returns a :class:`ParseResult`; problems are in line order, column problems first.
    """
    mapping = mapping or ColumnMapping()
    declared = tuple(dict.fromkeys([*schema.attribute_choices, *mapping.attributes, *attributes]))
    problems: list[Problem] = []
    for name in declared:
        problem = attribute_name_problem(name)
        if not problem and name in schema.items:
            problem = f"{name!r} is an item code, not an attribute"
        if problem:
            problems.append(Problem(None, None, problem))
    columns, warnings = _columns_resolve(table, schema, mapping, declared, strict, problems)
    if problems:
        return ParseResult(columns, [], problems, warnings, declared)
    converter = _CellConverter(schema, mapping, today, zone)
    used = [column for column in columns if column.kind]
    side_label = next(column.label for column in used if column.target == "side")
    rows = []
    for line, cells in table.rows:
        row = ParsedRow(line=line)
        for index in range(len(columns), len(cells)):
            if not _blank(cells[index]):
                problems.append(
                    Problem(line, f"#{index + 1}", "this cell is beyond the last named column")
                )
                break
        side_failed = False
        for column in used:
            cell = cells[column.index] if column.index < len(cells) else None
            try:
                converter.convert(row, column, cell)
            except ValueError as exc:
                problems.append(Problem(line, column.label, str(exc)))
                side_failed = side_failed or column.target == "side"
        if not row.side and not side_failed:
            problems.append(Problem(line, side_label, "the side is missing"))
        rows.append(row)
    return ParseResult(columns, rows, problems, warnings, declared)


def _columns_resolve(
    table: Table,
    schema: ImportSchema,
    mapping: ColumnMapping,
    declared: tuple[str, ...],
    strict: bool,
    problems: list[Problem],
) -> tuple[list[Column], list[str]]:
    items_by_name = {code.casefold(): code for code in schema.items}
    fields = {name: name for name in RESERVED_TARGETS}
    attributes = {name.casefold(): name for name in declared}
    warnings: list[str] = []

    def classify(target: str) -> tuple[str, str] | None:
        key = target.strip().casefold()
        if key in items_by_name:
            return "item", items_by_name[key]
        if key in fields:
            return ("submitted_on" if key == SUBMITTED_ON else "profile"), fields[key]
        if key in attributes:
            return "attribute", attributes[key]
        return None

    has_data = [
        any(index < len(cells) and not _blank(cells[index]) for _line, cells in table.rows)
        for index in range(len(table.headers))
    ]
    columns: list[Column] = []
    used_mapping_keys: set[str] = set()
    for index, name in enumerate(table.headers):
        key = normalise(name)
        kind = target = ""
        if name and key in mapping.columns:
            used_mapping_keys.add(key)
            mapped = mapping.columns[key]
            if mapped is not None:
                found = classify(mapped)
                if found is None:
                    problems.append(
                        Problem(
                            None,
                            repr(name),
                            f"the mapping file maps this column to {mapped!r}, which is not an "
                            "item code of this instrument, a profile field (side, function, "
                            "level, submitted_on) or a declared attribute",
                        )
                    )
                else:
                    kind, target = found
        elif name and (found := classify(name)) is not None:
            kind, target = found
        column = Column(index=index, name=name, kind=kind, target=target)
        if not kind and strict and (name or has_data[index]) and key not in mapping.columns:
            problems.append(
                Problem(
                    None,
                    column.label,
                    "this column maps to nothing (name an item code, a profile field or a "
                    "declared attribute, map it in the mapping file, or map it to 'ignore')",
                )
            )
        columns.append(column)

    by_target: dict[str, Column] = {}
    for column in columns:
        if not column.kind:
            continue
        if column.target in by_target:
            problems.append(
                Problem(
                    None,
                    column.label,
                    f"feeds {column.target!r}, as column {by_target[column.target].label} "
                    "already does",
                )
            )
        else:
            by_target[column.target] = column
    if "side" not in by_target:
        problems.append(
            Problem(None, None, "no column gives the side (IT, Security or Other) of respondents")
        )
    if not any(column.kind == "item" for column in columns):
        problems.append(Problem(None, None, "no column matches an item of this round's instrument"))
    for target, table in mapping.values.items():
        found = ("item", "") if target == LIKERT_VALUES else classify(target)
        if found is None:
            problems.append(
                Problem(
                    None,
                    None,
                    f"mapping file: values.{target} names no item, profile field or attribute",
                )
            )
            continue
        kind, code = found
        for text, value in table.items():
            problem = _mapped_value_problem(schema, kind, code, value)
            if problem:
                problems.append(
                    Problem(None, None, f"mapping file: values.{target}.{text!r}: {problem}")
                )
    unused = [key for key in mapping.columns if key not in used_mapping_keys]
    if unused:
        warnings.append(
            "The mapping file names columns this file does not have: "
            + ", ".join(repr(key) for key in unused)
        )
    # Columns the mapping file says to ignore are not worth a warning.
    ignored = [
        column.label
        for column in columns
        if not column.kind
        and (column.name or has_data[column.index])
        and not (column.name and mapping.columns.get(normalise(column.name), "") is None)
    ]
    if ignored:
        warnings.append("Ignored columns: " + ", ".join(ignored))
    return columns, warnings


def _mapped_value_problem(schema: ImportSchema, kind: str, code: str, value: int | str) -> str:
    """Why a value of the mapping file's ``values`` cannot stand for its target, or ``""``."""
    points = len(schema.scale_labels)
    if kind == "item" and (not code or schema.items.get(code) == "likert"):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= points:
            return f"{value!r} is not a point of the 1 to {points} scale"
    elif kind == "profile":
        choices = schema.profile_choices.get(code, {})
        known = {normalise(v) for v in choices} | {normalise(label) for label in choices.values()}
        if normalise(value) not in known:
            return f"{value!r} is not a {code}; use one of {', '.join(choices)}"
    elif kind == "attribute" and code in schema.attribute_choices:
        choices = schema.attribute_choices[code]
        if normalise(value) not in {normalise(choice) for choice in choices}:
            return f"{value!r} is not a {code}; use one of {', '.join(choices)}"
    elif kind == "submitted_on":
        return "dates cannot be mapped; set date_format instead"
    return ""


class _CellConverter:
    """Turns one cell into a row value; raises ValueError with a message for people."""

    def __init__(
        self,
        schema: ImportSchema,
        mapping: ColumnMapping,
        today: dt.date | None,
        zone: dt.tzinfo | None,
    ) -> None:
        self.schema = schema
        self.mapping = mapping
        self.today = today
        self.zone = zone
        self.labels = {
            normalise(label): point for point, label in enumerate(schema.scale_labels, 1)
        }
        self.choices = {
            field: {
                **{normalise(label): value for value, label in choices.items()},
                **{normalise(value): value for value in choices},
            }
            for field, choices in schema.profile_choices.items()
        }

    def convert(self, row: ParsedRow, column: Column, cell: Any) -> None:
        if _blank(cell):
            return
        if column.kind == "item":
            if self.schema.items[column.target] == "likert":
                row.answers[column.target] = self.likert(column.target, cell)
            else:
                row.answers[column.target] = _unprotect(_text(cell))
        elif column.kind == "profile":
            setattr(row, column.target, self.profile(column.target, cell))
        elif column.kind == "attribute":
            row.attributes[column.target] = self.attribute(column.target, cell)
        elif column.kind == "submitted_on":
            row.submitted_on = self.date(cell)

    def _mapped(self, target: str, cell: Any) -> int | str | None:
        key = normalise(cell)
        for table_name in (target, LIKERT_VALUES if target in self.schema.items else None):
            if table_name and key in self.mapping.values.get(table_name, {}):
                return self.mapping.values[table_name][key]
        return None

    def likert(self, code: str, cell: Any) -> int:
        mapped = self._mapped(code, cell)
        value = cell if mapped is None else mapped
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not an answer on the scale")
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if value.is_integer():
                return int(value)
            raise ValueError(f"{value!r} is not a whole number")
        if isinstance(value, str):
            text = value.strip()
            if WHOLE_NUMBER_RE.match(text):
                return int(float(text))
            point = self.labels.get(normalise(text))
            if point is not None:
                return point
        labels = ", ".join(repr(label) for label in self.schema.scale_labels)
        points = len(self.schema.scale_labels)
        raise ValueError(
            f"{_shown(cell)} is neither a number from 1 to {points} nor a scale label "
            f"({labels}); map other texts in the mapping file's values"
        )

    def profile(self, field: str, cell: Any) -> str:
        mapped = self._mapped(field, cell)
        key = normalise(cell if mapped is None else mapped)
        value = self.choices.get(field, {}).get(key)
        if value is None:
            shown = ", ".join(self.schema.profile_choices.get(field, {}).values())
            raise ValueError(
                f"unknown {field} {_shown(cell)}: expected one of {shown} "
                f"(or map it in the mapping file's values.{field})"
            )
        return value

    def attribute(self, name: str, cell: Any) -> str:
        mapped = self._mapped(name, cell)
        value = " ".join(_unprotect(_text(cell if mapped is None else mapped)).split())
        if len(value) > ATTRIBUTE_VALUE_MAX:
            raise ValueError(f"the {name} is longer than {ATTRIBUTE_VALUE_MAX} characters")
        choices = self.schema.attribute_choices.get(name)
        if choices is None:
            return value
        for choice in choices:
            if normalise(choice) == normalise(value):
                return choice
        raise ValueError(
            f"unknown {name} {_shown(value)}: expected one of {', '.join(choices)} "
            f"(or map it in the mapping file's values.{name})"
        )

    def date(self, cell: Any) -> dt.date:
        if isinstance(cell, dt.datetime):
            value = self._local(cell)
        elif isinstance(cell, dt.date):
            value = cell
        else:
            text = _text(cell).strip()
            try:
                if self.mapping.date_format:
                    parsed = dt.datetime.strptime(text, self.mapping.date_format)  # noqa: DTZ007
                    value = self._local(parsed)
                elif len(text) == 10:
                    value = dt.date.fromisoformat(text)
                else:
                    value = self._local(dt.datetime.fromisoformat(text))
            except ValueError:
                expected = self.mapping.date_format or "an ISO date such as 2026-03-31"
                raise ValueError(
                    f"{_shown(cell)} is not a date in the expected format ({expected}; set "
                    "date_format in the mapping file for another)"
                ) from None
        if self.today is not None and value > self.today:
            raise ValueError(f"{value.isoformat()} is in the future")
        return value

    def _local(self, value: dt.datetime) -> dt.date:
        if value.tzinfo is not None and self.zone is not None:
            value = value.astimezone(self.zone)
        return value.date()


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell)


def _unprotect(text: str) -> str:
    """Undo the apostrophe the CSV export puts before a formula-like text."""
    return PROTECTED_CELL_RE.sub("", text, count=1)


def _shown(cell: Any) -> str:
    text = _text(cell)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def mapping_load(*, content: bytes | str, source: str = "mapping file") -> ColumnMapping:
    """Decode (UTF-8, with or without a byte-order mark) and parse a mapping file.

    Raises ImportFileError when the bytes are not UTF-8 text or the YAML is invalid.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError(f"The {source} is not UTF-8 text.") from None
    return mapping_parse(text=content, source=source)
