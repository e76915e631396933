"""Mapping a table of cells onto a round's instrument: which column feeds what, cell values.

Pure: no Django. The format is documented in ``docs/import-format.md``. An import takes three
steps: :func:`survey.tables.table_read` reads the file into a :class:`~survey.tables.Table`,
:func:`survey.import_mapping.mapping_parse` reads an optional mapping file, and
:func:`table_parse` (here) maps the table's columns onto an :class:`ImportSchema` (the round's
items, scale and profile choices) and converts every cell, returning the rows and every
problem found, each with its line and column.

Nothing here writes anything: :func:`survey.services.imports.responses_import` validates the
rows with the same checks as collected responses and stores them in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from survey.attributes import (
    ATTRIBUTE_VALUE_MAX,
    RESERVED_TARGETS,
    SUBMITTED_ON,
    attribute_name_problem,
)
from survey.import_mapping import LIKERT_VALUES, ColumnMapping, normalise
from survey.scale import DONT_KNOW, PREDICTED_SUFFIX, SCALE_KINDS
from survey.tables import Problem, Table, cell_blank, counted, name_cut, names_summary

WHOLE_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
# A cell that the CSV export protected against formula injection: an apostrophe, then a
# character a spreadsheet would evaluate (see reports.exports.safe_cell).
PROTECTED_CELL_RE = re.compile(r"^'(?=[=+\-@\t\r])")
# Apostrophes a spreadsheet or a form tool may put in "Don't know" in place of the plain one.
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


@dataclasses.dataclass(frozen=True)
class ImportSchema:
    """What a round accepts: ``items`` (code -> ``likert`` | ``outcome`` | ``text``,
    instrument order), ``scale_labels`` (lowest point first), ``profile_choices`` (``side``/
    ``function``/``level`` -> {stored value: label}), ``attribute_choices`` (the round's
    declared profile attributes: name -> its choices; such columns are attributes without a
    mapping, and their cells must be one of the choices), ``dont_know_label`` (the
    instrument's "don't know" answer; blank: not offered), ``meta_items`` (the codes of
    meta-perception statements, which may have a ``<code>__predicted_other`` column), and
    the same answers in the instrument's other languages: ``translated_scale_labels`` (one
    tuple of labels per language, lowest point first) and ``translated_dont_know_labels``."""

    items: dict[str, str]
    scale_labels: tuple[str, ...]
    profile_choices: dict[str, dict[str, str]]
    attribute_choices: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    dont_know_label: str = ""
    meta_items: frozenset[str] = frozenset()
    translated_scale_labels: tuple[tuple[str, ...], ...] = ()
    translated_dont_know_labels: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of the file and what it feeds: ``kind`` is ``item``, ``predicted`` (the
    guesses of the other side's answer to a meta-perception statement), ``profile``,
    ``attribute``, ``submitted_on`` or ``""`` (ignored); ``target`` the code (for
    ``predicted``: ``<code>__predicted_other``) or field name."""

    index: int
    name: str
    kind: str
    target: str

    @property
    def label(self) -> str:
        """How messages name the column: its header in quotes (cut when long), or its
        position."""
        return repr(name_cut(self.name)) if self.name else f"#{self.index + 1}"


@dataclasses.dataclass
class ParsedRow:
    """One respondent as read from the file (values converted, not yet validated)."""

    line: int
    side: str = ""
    function: str = ""
    level: str = ""
    attributes: dict[str, str] = dataclasses.field(default_factory=dict)
    answers: dict[str, int | str] = dataclasses.field(default_factory=dict)
    predicted: dict[str, int] = dataclasses.field(default_factory=dict)
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

    A column ``<item code>__predicted_other`` feeds the guesses of the other side's answer
    to that meta-perception statement.

    Cells: blank is a missing answer. A cell of a statement on the scale (Likert or outcome)
    is a whole number, one of the scale labels (case, spaces and the kind of apostrophe
    ignored) or the instrument's
    "don't know" label (case, spaces and the kind of apostrophe ignored; read as
    :data:`~survey.scale.DONT_KNOW`), in English or any language the instrument is
    translated into (a file may mix them), after the mapping's ``values`` for that item or for
    ``likert`` (which may map a text to ``dont_know``); its range is checked later, by the
    service. A guess cell is read the same way, without "don't know". A profile cell is a
    stored value or label of the choice (``IT``, ``security``, ...), after the mapping's
    values; the side is required. An attribute the schema gives choices for takes one of them
    (case and spaces ignored, stored as declared); other attributes take any short text.
    ``submitted_on`` is an ISO date or date-time (converted to ``zone`` when it has an
    offset) or follows the mapping's ``date_format``; it may not be after ``today``.

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
            if not cell_blank(cells[index]):
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
        base = key.removesuffix(PREDICTED_SUFFIX)
        if base != key and base in items_by_name:
            return "predicted", items_by_name[base] + PREDICTED_SUFFIX
        if key in fields:
            return ("submitted_on" if key == SUBMITTED_ON else "profile"), fields[key]
        if key in attributes:
            return "attribute", attributes[key]
        return None

    has_data = [
        any(index < len(cells) and not cell_blank(cells[index]) for _line, cells in table.rows)
        for index in range(len(table.headers))
    ]
    columns: list[Column] = []
    unmapped: list[str] = []
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
            unmapped.append(column.label)
        columns.append(column)
    if unmapped:
        problems.append(
            Problem(
                None,
                None,
                f"{counted(len(unmapped), 'column')} map{'s' if len(unmapped) == 1 else ''} to "
                f"nothing: {names_summary(unmapped)} (name an item code, a profile field or a "
                "declared attribute, map it in the mapping file, or map it to 'ignore')",
            )
        )

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
    for column in by_target.values():
        code = column.target.removesuffix(PREDICTED_SUFFIX)
        if column.kind == "predicted" and code not in schema.meta_items:
            problems.append(
                Problem(
                    None,
                    column.label,
                    f"item {code!r} is not a meta-perception statement: nobody guesses the "
                    "other side's answer to it",
                )
            )
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
            f"The mapping file names {counted(len(unused), 'column')} this file does not have: "
            + names_summary([repr(name_cut(key)) for key in unused])
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
        warnings.append(f"{counted(len(ignored), 'column')} ignored: {names_summary(ignored)}")
    return columns, warnings


def _mapped_value_problem(schema: ImportSchema, kind: str, code: str, value: int | str) -> str:
    """Why a value of the mapping file's ``values`` cannot stand for its target, or ``""``."""
    points = len(schema.scale_labels)
    if kind == "item" and (not code or schema.items.get(code) in SCALE_KINDS):
        if value == DONT_KNOW and schema.dont_know_label.strip():
            return ""
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= points:
            return f"{value!r} is not a point of the 1 to {points} scale" + (
                f" (or {DONT_KNOW})" if schema.dont_know_label.strip() else ""
            )
    elif kind == "predicted":
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
        # Labels in every language of the instrument (validation keeps a label to one point),
        # any apostrophe read as the plain one: "Pas d’accord" is "Pas d'accord".
        self.labels = {
            _loose(label): point
            for labels in (schema.scale_labels, *schema.translated_scale_labels)
            if len(labels) == len(schema.scale_labels)
            for point, label in enumerate(labels, 1)
        }
        # Each label, and each of its halves when it reads "Don't know / not applicable": a
        # file that says only "Don't know" means the same answer.
        self.dont_know: set[str] = set()
        if schema.dont_know_label.strip():
            for label in (schema.dont_know_label, *schema.translated_dont_know_labels):
                label = label.strip()
                if label:
                    self.dont_know.add(_loose(label))
                    self.dont_know.update(_loose(part) for part in label.split("/") if part.strip())
        self.choices = {
            field: {
                **{normalise(label): value for value, label in choices.items()},
                **{normalise(value): value for value in choices},
            }
            for field, choices in schema.profile_choices.items()
        }

    def convert(self, row: ParsedRow, column: Column, cell: Any) -> None:
        if cell_blank(cell):
            return
        if column.kind == "item":
            if self.schema.items[column.target] in SCALE_KINDS:
                row.answers[column.target] = self.likert(column.target, cell)
            else:
                row.answers[column.target] = _unprotect(_text(cell))
        elif column.kind == "predicted":
            code = column.target.removesuffix(PREDICTED_SUFFIX)
            row.predicted[code] = self.likert(code, cell, guess=True)
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

    def likert(self, code: str, cell: Any, *, guess: bool = False) -> int | str:
        """A point of the scale, or DONT_KNOW (never for a ``guess`` of the other side's)."""
        mapped = self._mapped(code, cell)
        value = cell if mapped is None else mapped
        said_dont_know = value == DONT_KNOW or (
            isinstance(value, str) and _loose(value) in self.dont_know
        )
        if self.dont_know and not guess and said_dont_know:
            return DONT_KNOW
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
            point = self.labels.get(_loose(text))
            if point is not None:
                return point
        labels = ", ".join(repr(label) for label in self.schema.scale_labels)
        points = len(self.schema.scale_labels)
        if self.dont_know and not guess:
            labels += f"; or {self.schema.dont_know_label.strip()!r}"
        if self.schema.translated_scale_labels:
            labels += "; or the same in another of the instrument's languages"
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


def _loose(text: str) -> str:
    """``text`` compared loosely as :func:`~survey.import_mapping.normalise` does, and with
    any apostrophe read as the plain one: ``" don’t  KNOW "`` is ``"don't know"``."""
    return normalise(text.translate(APOSTROPHES))


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
