"""What a validated instrument file is: the spec values and the error. Pure: no Django.

:mod:`assessment.validation` builds these from a file (and
:mod:`assessment.validation_translations` its translations); :mod:`assessment.services`
writes them to the database and rebuilds them from it to compare.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

# Longest texts, in characters (the database columns' sizes).
NAME_MAX = 200  # a title, a dimension name, a scale label
DONT_KNOW_MAX = 100
PROMPT_MAX = 200


class InstrumentError(ValueError):
    """An instrument file that cannot be read, parsed, validated or loaded.

    ``errors`` lists one ``"key.path: problem"`` line per problem found.
    """

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [message]


@dataclasses.dataclass(frozen=True)
class ItemSpec:
    """One validated item; ``mirror_of`` is the other item's code or ``""``; ``about`` is
    ``"it"``, ``"security"`` or ``""``; ``kind`` is one of ``likert``, ``outcome``, ``text``."""

    code: str
    text: str
    kind: str
    reverse_scored: bool
    mirror_of: str
    about: str = ""
    meta_perception: bool = False


@dataclasses.dataclass(frozen=True)
class DimensionSpec:
    """One validated dimension with its items in file order."""

    code: str
    name: str
    description: str
    guidance: str
    items: tuple[ItemSpec, ...]


@dataclasses.dataclass(frozen=True)
class DimensionText:
    """A dimension's texts in one language."""

    name: str
    description: str
    guidance: str


@dataclasses.dataclass(frozen=True)
class TranslationSpec:
    """Every string of the instrument in one other language, complete (validation refuses a
    gap), in the instrument's order whatever the file's.

    ``language`` is a code Django knows (``fr``, ``de``, ``pt-br``); ``needs_review`` is true
    until a native speaker has vouched for the texts; ``dont_know_label`` and
    ``description`` are ``""`` when the instrument has none; ``meta_prompts`` holds
    ``(side, question)`` pairs sorted by side; ``dimensions`` ``(code, texts)`` and ``items``
    ``(code, text)`` pairs in instrument order.
    """

    language: str
    needs_review: bool
    title: str
    description: str
    scale_labels: tuple[str, ...]
    dont_know_label: str
    meta_prompts: tuple[tuple[str, str], ...]
    dimensions: tuple[tuple[str, DimensionText], ...]
    items: tuple[tuple[str, str], ...]

    def instrument_texts(self) -> dict[str, Any]:
        """The instrument's own strings in this language, as ``Instrument.translations``
        stores them under the language code."""
        return {
            "needs_review": self.needs_review,
            "title": self.title,
            "description": self.description,
            "scale_labels": list(self.scale_labels),
            "dont_know_label": self.dont_know_label,
            "meta_prompts": dict(self.meta_prompts),
        }


@dataclasses.dataclass(frozen=True)
class InstrumentSpec:
    """A validated instrument file, normalised (strings stripped, version as a string).

    ``dont_know_label`` is ``""`` when the file offers no "don't know" answer;
    ``meta_prompts`` holds ``(side, question)`` pairs sorted by side (see :attr:`prompts`);
    ``translations`` one :class:`TranslationSpec` per other language, sorted by code.
    """

    slug: str
    version: str
    title: str
    description: str
    scale_points: int
    scale_labels: tuple[str, ...]
    dimensions: tuple[DimensionSpec, ...]
    dont_know_label: str = ""
    meta_prompts: tuple[tuple[str, str], ...] = ()
    translations: tuple[TranslationSpec, ...] = ()

    @property
    def prompts(self) -> dict[str, str]:
        """``meta_prompts`` as ``{side: question}``, as ``Instrument.meta_prompts`` stores it."""
        return dict(self.meta_prompts)

    def untranslated(self) -> InstrumentSpec:
        """This spec without its translations: what respondents answer in English, which
        answers bind (a version with answers may still change its translations)."""
        return dataclasses.replace(self, translations=())

    def sha256(self) -> str:
        """SHA-256 of the normalised content: comments and layout in the file do not count.

        Keys a file leaves at their default (no "don't know", no meta prompts, no ``about``,
        no meta-perception, no translations) are left out of the digest, so a version 1 file
        keeps the digest it had before those keys existed.
        """
        content = dataclasses.asdict(self)
        for key in ("dont_know_label", "meta_prompts", "translations"):
            if not content[key]:
                del content[key]
        for dimension in content["dimensions"]:
            for item in dimension["items"]:
                for key in ("about", "meta_perception"):
                    if not item[key]:
                        del item[key]
        payload = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def type_name(value: Any) -> str:
    """How messages name the YAML type of ``value`` ("a mapping", "text", ...)."""
    if value is None:
        return "nothing (null)"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def label_key(label: str) -> str:
    """A label as the import compares it: case-folded, runs of spaces as one."""
    return " ".join(label.split()).casefold()
