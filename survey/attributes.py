"""Profile attributes a round declares beyond side, function and level (issue 5).

A round's ``profile_attributes`` is a list of questions asked on the profile page, each
``{"name": "region", "label": "Region", "choices": ["EMEA", "Americas", "APAC"]}``. The
answer is kept in ``Response.attributes`` under ``name``, the same place an import puts
its attributes, so the dashboard filters and compares both alike. Pure: no Django.

An entry may carry ``translations``: ``{"fr": {"label": "Région", "choices": ["EMEA",
"Amériques", "APAC"]}}``, each choice the translation of the declared choice at the same
position. Only the text shown changes (:func:`attribute_label`,
:func:`attribute_choice_labels`): the answer kept is always the declared choice, so the
analysis pools every language.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from assessment.languages import language_candidates, translation_for

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
ENTRY_KEYS = frozenset({"name", "label", "choices", "translations"})
TRANSLATION_KEYS = frozenset({"label", "choices"})


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


def profile_attributes_problems(value: Any, *, languages: Collection[str] = ()) -> list[str]:
    """Every reason ``value`` is not a valid list of declared profile attributes.

    ``value``: parsed JSON. Each entry must be a dict with ``name`` (lowercase letter, then
    up to 39 lowercase letters, digits or ``_``; not side, function or level; unique),
    ``label`` (non-blank text, at most 100 characters; optional, defaults to the name),
    ``choices`` (2 to 50 distinct non-blank strings of at most 100 characters) and optionally
    ``translations`` (see :func:`translations_problems`; ``languages``: the codes the app
    offers, e.g. ``["en", "fr", "de", "es"]``). Returns ``[]`` when valid; each message
    names the entry by its position (1-based) or name, and a translation by its language.
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
        unknown = sorted(set(map(str, entry)) - ENTRY_KEYS)
        if unknown:
            problems.append(
                f"{where}: unknown keys {', '.join(unknown)} (a question has "
                f"{', '.join(sorted(ENTRY_KEYS))})."
            )
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
        if not _is_text(label, LABEL_MAX):
            problems.append(f"{where}: the label must be text of 1 to {LABEL_MAX} characters.")
        choices = entry.get("choices")
        problem = _choices_problem(choices)
        if not problem and not 2 <= len(choices) <= MAX_CHOICES:
            problem = f"give between 2 and {MAX_CHOICES} choices."
        if problem:
            problems.append(f"{where}: {problem}")
        if "translations" in entry:
            declared = None if problem else choices
            problems += translations_problems(
                entry["translations"], declared, languages=languages, where=where
            )
    return problems


def translations_problems(
    translations: Any,
    choices: Sequence[str] | None,
    *,
    languages: Collection[str],
    where: str = "Attribute",
) -> list[str]:
    """Every reason ``translations`` is not a valid ``translations`` key of one attribute.

    ``translations``: parsed JSON, ``{language code: {"label": text, "choices": [text,
    ...]}}``; each code one of ``languages``; both keys required, the label non-blank text
    of at most 100 characters, the choices as many as ``choices`` (the declared ones, in
    their order; None when they are invalid themselves: then the count is not checked),
    distinct, non-blank, at most 100 characters each, none of them "Prefer not to say".
    ``where`` starts each message, e.g. ``"Attribute 'region'"``.
    """
    if not isinstance(translations, dict):
        return [
            f"{where}: translations must be an object keyed by language code, e.g. "
            '{"fr": {"label": "Région", "choices": [...]}}.'
        ]
    problems: list[str] = []
    offered = ", ".join(sorted(languages)) or "none"
    for code, texts in translations.items():
        here = f"{where}, translation {code!r}"
        if code not in languages:
            problems.append(f"{here}: not a language this app offers ({offered}).")
            continue
        if not isinstance(texts, dict):
            problems.append(f"{here}: must be an object with a label and choices.")
            continue
        unknown = sorted(set(map(str, texts)) - TRANSLATION_KEYS)
        if unknown:
            problems.append(
                f"{here}: unknown keys {', '.join(unknown)} (a translation has label and choices)."
            )
        if not _is_text(texts.get("label"), LABEL_MAX):
            problems.append(f"{here}: the label must be text of 1 to {LABEL_MAX} characters.")
        shown = texts.get("choices")
        problem = _choices_problem(shown)
        if not problem and choices is not None and len(shown) != len(choices):
            problem = (
                f"give {len(choices)} choices, the translations of {', '.join(choices)} in "
                f"that order (got {len(shown)})."
            )
        if problem:
            problems.append(f"{here}: {problem}")
    return problems


def _is_text(value: Any, longest: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= longest


def _choices_problem(choices: Any) -> str:
    """Why ``choices`` cannot be a question's list of choices (its number aside), or ``""``."""
    if not isinstance(choices, list) or not all(
        _is_text(choice, ATTRIBUTE_VALUE_MAX) for choice in choices
    ):
        return (
            f"choices must be a list of non-blank texts of at most {ATTRIBUTE_VALUE_MAX} "
            "characters."
        )
    if len({choice.strip().casefold() for choice in choices}) != len(choices):
        return "the choices must differ from one another."
    if any(choice.strip().casefold() in NO_ANSWER_TEXTS for choice in choices):
        return "every question already offers “Prefer not to say”; it cannot be a choice too."
    return ""


def attribute_label(entry: Mapping[str, Any], language: str | None = None) -> str:
    """The question text of a declared attribute in ``language`` (a code such as ``"fr"``;
    ``"fr-ca"`` reads the ``fr`` translation): its translated label, else its label, else
    its name."""
    label = _translation(entry, language).get("label")
    if isinstance(label, str) and label.strip():
        return label
    return str(entry.get("label") or entry.get("name") or "")


def attribute_choice_labels(
    entry: Mapping[str, Any], language: str | None = None
) -> dict[str, str]:
    """``{declared choice: the text shown for it in language}``, in declared order: the
    translated choice at the same position, else the choice itself (also for a translation
    whose choices are not one text per declared choice)."""
    choices = [str(choice) for choice in entry.get("choices") or ()]
    shown = _translation(entry, language).get("choices")
    if (
        not isinstance(shown, list)
        or len(shown) != len(choices)
        or not all(isinstance(text, str) and text.strip() for text in shown)
    ):
        shown = choices
    return dict(zip(choices, shown, strict=True))


def attribute_choice_label(
    entry: Mapping[str, Any], value: str, language: str | None = None
) -> str:
    """The text shown for the answer ``value`` in ``language``; ``value`` itself when it is
    not a declared choice (an imported value) or has no translation."""
    return attribute_choice_labels(entry, language).get(value, value)


def attribute_translations_missing(
    declared: Sequence[Mapping[str, Any]], *, languages: Sequence[str], original: str
) -> dict[str, list[str]]:
    """The languages a respondent reads each declared question in untranslated:
    ``{name: [language codes]}``, questions in declared order, codes in the order of
    ``languages`` (those the app offers) leaving out ``original`` (the language the labels
    and choices are typed in, e.g. the round's); a question translated in all is left out."""
    base = language_candidates(original)[-1:]
    missing: dict[str, list[str]] = {}
    for entry in declared:
        codes = [code for code in languages if code not in base and not _translation(entry, code)]
        if codes:
            missing[str(entry.get("name"))] = codes
    return missing


def _translation(entry: Mapping[str, Any], language: str | None) -> Mapping[str, Any]:
    translations = entry.get("translations")
    return translation_for(translations if isinstance(translations, Mapping) else None, language)


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
