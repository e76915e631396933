"""Profile attributes a round declares beyond side, function and level (issue 5).

A round's ``profile_attributes`` is a list of questions asked on the profile page, each
``{"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}``. The
answer is kept in ``Response.attributes`` under ``name``, the same place an import puts
its attributes, so the dashboard filters and compares both alike. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Profile fields every response has (``side`` is required) and the day it was submitted: an
# import column may feed them (survey.importing), so no attribute may take their names.
PROFILE_FIELDS = ("side", "function", "level")
SUBMITTED_ON = "submitted_on"
RESERVED_TARGETS = frozenset((*PROFILE_FIELDS, SUBMITTED_ON))
# Other columns of responses.csv (reports.exports) and of the answers frames: an attribute
# of the same name would make a duplicate column, so an export could not be imported back.
EXPORT_COLUMNS = frozenset({"row", "submitted_month", "response_id", "item_code", "value"})
ATTRIBUTE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ATTRIBUTE_VALUE_MAX = 100
MAX_ATTRIBUTES = 10
# The profile page offers this non-answer itself; a choice of the same words would be
# stored as an answer and shown on the dashboards as if it were the non-answer group.
NO_ANSWER_TEXTS = frozenset({"prefer not to say", "prefer not to answer", "no answer"})
MAX_CHOICES = 50
LABEL_MAX = 100


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


def profile_attributes_problems(value: Any) -> list[str]:
    """Every reason ``value`` is not a valid list of declared profile attributes.

    ``value``: parsed JSON. Each entry must be a dict with ``name`` (lowercase letter, then
    up to 39 lowercase letters, digits or ``_``; not side, function or level; unique),
    ``label`` (non-blank text, at most 100 characters; optional, defaults to the name) and
    ``choices`` (2 to 50 distinct non-blank strings of at most 100 characters). Returns
    ``[]`` when valid; each message names the entry by its position (1-based) or name.
    """
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        return ["Profile attributes must be a list."]
    problems: list[str] = []
    if len(value) > MAX_ATTRIBUTES:
        problems.append(f"At most {MAX_ATTRIBUTES} profile attributes can be declared.")
    seen: set[str] = set()
    for position, entry in enumerate(value, start=1):
        where = f"Attribute {position}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object with a name and choices.")
            continue
        unknown = sorted(set(entry) - {"name", "label", "choices"})
        if unknown:
            problems.append(f"{where}: unknown keys {', '.join(map(str, unknown))}.")
        name = entry.get("name")
        problem = attribute_name_problem(name)
        if problem:
            problems.append(f"{where}: {problem}.")
        elif name in seen:
            problems.append(f"{where}: {name!r} is declared twice.")
        else:
            seen.add(name)
            where = f"Attribute {name!r}"
        label = entry.get("label", name)
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
            problems.append(f"{where}: the label must be text of 1 to {LABEL_MAX} characters.")
        choices = entry.get("choices")
        if not isinstance(choices, list) or not all(
            isinstance(choice, str) and choice.strip() and len(choice) <= ATTRIBUTE_VALUE_MAX
            for choice in choices
        ):
            problems.append(
                f"{where}: choices must be a list of non-blank texts of at most "
                f"{ATTRIBUTE_VALUE_MAX} characters."
            )
        elif not 2 <= len(choices) <= MAX_CHOICES:
            problems.append(f"{where}: give between 2 and {MAX_CHOICES} choices.")
        elif len({choice.strip().casefold() for choice in choices}) != len(choices):
            problems.append(f"{where}: the choices must differ from one another.")
        elif any(choice.strip().casefold() in NO_ANSWER_TEXTS for choice in choices):
            problems.append(
                f"{where}: every question already offers “Prefer not to say”; it cannot be "
                "a choice too."
            )
    return problems


def attribute_label(entry: Mapping[str, Any]) -> str:
    """The question text of a declared attribute: its label, else its name."""
    return str(entry.get("label") or entry.get("name") or "")


def attribute_name_label(name: str) -> str:
    """A label made from an attribute's name, for one given without a label: ``job_family``
    -> "Job family"."""
    return name.replace("_", " ").capitalize()


def attribute_spec_parse(text: str) -> dict[str, Any]:
    """Read one attribute declared on the command line into ``{"name", "label", "choices"}``.

    ``text`` is ``name=choice,choice,...`` or ``name:Label=choice,choice,...``, e.g.
    ``region:Region=EMEA,Americas,APAC``. Spaces around each part are dropped; without a label
    the name is used, capitalised with ``_`` as spaces. Raises ValueError when the ``=`` is
    missing; the entry itself is checked by :func:`profile_attributes_problems`.
    """
    head, equals, tail = str(text).partition("=")
    if not equals:
        raise ValueError(
            f"{text!r} declares no choices: write NAME=CHOICE,CHOICE or NAME:LABEL=CHOICE,CHOICE "
            "(for example region=EMEA,Americas,APAC)."
        )
    name, _colon, label = head.partition(":")
    name = name.strip()
    label = label.strip() or attribute_name_label(name)
    return {"name": name, "label": label, "choices": [part.strip() for part in tail.split(",")]}


def attribute_values_clean(
    declared: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> dict[str, str]:
    """The chosen values of a round's ``declared`` attributes, in declaration order.

    ``values`` maps attribute names to a choice, exactly as declared; blank or None means
    "prefer not to say" and is left out. Raises ValueError naming the attribute for a name
    the round does not declare or a value that is not one of its choices.
    """
    by_name = {entry["name"]: entry for entry in declared}
    unknown = sorted(str(name) for name in values if name not in by_name)
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a profile question of this round.")
    cleaned: dict[str, str] = {}
    for entry in declared:
        value = values.get(entry["name"])
        if value in (None, ""):
            continue
        if not isinstance(value, str) or value not in entry["choices"]:
            raise ValueError(
                f"{value!r} is not an answer to {attribute_label(entry)!r}: choose one of "
                f"{', '.join(entry['choices'])}."
            )
        cleaned[entry["name"]] = value
    return cleaned


def profile_attributes_removed(
    old: Sequence[Mapping[str, Any]] | None, new: Sequence[Mapping[str, Any]] | None
) -> dict[str, list[str] | None]:
    """What replacing the declared attributes ``old`` by ``new`` takes away.

    Returns ``{name: None}`` for an attribute no longer declared and ``{name: [choices]}``
    for the choices an attribute still declared no longer offers (exact spelling).
    """
    kept = {entry["name"]: entry.get("choices") or [] for entry in new or []}
    removed: dict[str, list[str] | None] = {}
    for entry in old or []:
        name = entry["name"]
        if name not in kept:
            removed[name] = None
            continue
        gone = [choice for choice in entry.get("choices") or [] if choice not in kept[name]]
        if gone:
            removed[name] = gone
    return removed
