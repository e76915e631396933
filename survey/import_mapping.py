"""An import's mapping file: which column feeds which item or field, which text is which value.

Pure: no Django. A mapping file (YAML, documented in ``docs/import-format.md``) is read into a
:class:`ColumnMapping`; its targets are checked against the round by
:func:`survey.importing.table_parse`. Names and texts compare loosely (:func:`normalise`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml

from assessment.yaml_limits import YamlLimitError, yaml_load_bounded
from survey.attributes import attribute_name_problem
from survey.tables import ImportFileError, Problem, problems_message

# Name of the ``values`` entry of a mapping file that applies to every Likert item.
LIKERT_VALUES = "likert"
IGNORE = "ignore"


def normalise(text: Any) -> str:
    """Compare texts loosely: surrounding spaces stripped, inner runs of spaces made one,
    case folded. ``" Strongly  AGREE "`` and ``"strongly agree"`` are the same."""
    return " ".join(str(text).split()).casefold()


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
        data = yaml_load_bounded(text, _NoBoolLoader)
    except YamlLimitError as exc:
        raise ImportFileError(f"The {source} is not read: {exc}.") from None
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
