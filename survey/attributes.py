"""Profile attributes a round declares beyond side, function and level (issue 5).

A round's ``profile_attributes`` is a list of questions asked on the profile page, each
``{"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}``. The
answer is kept in ``Response.attributes`` under ``name``, the same place an import puts
its attributes, so the dashboard filters and compares both alike. Pure: no Django.
"""

from __future__ import annotations

from typing import Any

from survey.importing import ATTRIBUTE_VALUE_MAX, attribute_name_problem

MAX_ATTRIBUTES = 10
MAX_CHOICES = 50
LABEL_MAX = 100


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
    return problems
