"""Checks of an instrument file's ``translations`` key: every string in each other language.

Pure: no Django. Called by :func:`assessment.validation.instrument_validate` once the English
instrument is read; the format is in ``docs/instrument-format.md`` (Translations). Each
problem names its key path and, for a gap, the language, e.g.
``translations.de.items.ei3: missing (every item needs a German text)``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from assessment.instrument_spec import (
    DONT_KNOW_MAX,
    NAME_MAX,
    PROMPT_MAX,
    DimensionText,
    InstrumentSpec,
    TranslationSpec,
    label_key,
    type_name,
)

BASE_LANGUAGE = "en"
LANGUAGE_KEYS = {
    "needs_review",
    "title",
    "description",
    "scale_labels",
    "dont_know_label",
    "meta_prompts",
    "dimensions",
    "items",
}
DIMENSION_TEXT_KEYS = ("name", "description", "guidance")


class Checker(Protocol):
    """What the checks need of :class:`assessment.validation._Validator`."""

    def error(self, path: str, problem: str) -> None: ...

    def text(
        self, value: Any, path: str, *, max_length: int | None = None, allow_empty: bool = False
    ) -> str: ...


@functools.cache
def django_languages() -> tuple[dict[str, str], dict[str, str]]:
    """The language codes Django knows: ``({code: English name}, {old code: its
    replacement})``, e.g. ``"pt-br": "Brazilian Portuguese"`` and ``"zh-cn": "zh-hans"``.

    Source: ``django.conf.locale.LANG_INFO``, read from that module's file with
    ``ast.literal_eval`` rather than imported, so that this module stays free of Django (the
    import-linter contract "Pure computation imports no Django"): the file is one dict
    literal. A test compares the result with the imported ``LANG_INFO``. Raises RuntimeError
    when Django is not installed or the file no longer holds the literal.
    """
    found = importlib.util.find_spec("django")
    if found is None or not found.submodule_search_locations:
        raise RuntimeError("Django is not installed: no language codes to check against.")
    path = Path(next(iter(found.submodule_search_locations))) / "conf" / "locale" / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    info = next(
        (
            ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(
                isinstance(target, ast.Name) and target.id == "LANG_INFO" for target in node.targets
            )
        ),
        None,
    )
    if not isinstance(info, dict):
        raise RuntimeError(f"{path} no longer holds LANG_INFO as a dict literal.")
    names = {code: entry["name"] for code, entry in info.items() if "name" in entry}
    fallbacks = {code: entry["fallback"][0] for code, entry in info.items() if "name" not in entry}
    return names, fallbacks


def language_problem(code: Any) -> str:
    """Why ``code`` cannot name a translation's language, or ``""`` when Django knows it."""
    if not isinstance(code, str):
        return f'must be a language code as text, got {type_name(code)}; write it in quotes ("no")'
    if code == BASE_LANGUAGE:
        return (
            "English is the instrument's own text (the keys outside translations); "
            "translations hold the other languages"
        )
    names, fallbacks = django_languages()
    if code in names:
        return ""
    if code in fallbacks:
        return (
            f"{code!r} is an old code Django keeps for {fallbacks[code]!r}: use {fallbacks[code]!r}"
        )
    written = code.strip().lower().replace("_", "-")
    if written in names:
        return f"unknown language code; write it as Django does: {written!r}"
    generic = written.split("-")[0]
    if generic in names:
        return f"unknown language code; Django knows {generic!r} ({names[generic]})"
    return (
        "unknown language code; use one Django knows (django.conf.locale.LANG_INFO), "
        "such as 'fr', 'de', 'es' or 'pt-br'"
    )


def translations_validate(
    value: Any, *, base: InstrumentSpec, check: Checker
) -> tuple[TranslationSpec, ...]:
    """Check the ``translations`` mapping against the English instrument ``base`` and return
    one :class:`TranslationSpec` per language, sorted by code; problems go to ``check``.

    Checks: a mapping keyed by language codes Django knows (not ``en``: English is the base);
    per language only the keys of :data:`LANGUAGE_KEYS`; ``needs_review`` a boolean; every
    string of the base present and non-empty (title, description when the base has one,
    one scale label per point and all different, the "don't know" label when the base offers
    one and unlike that language's scale labels, a meta prompt for each side the base asks,
    name, description and guidance of each dimension, text of each item); no unknown
    dimension or item codes; the same lengths as the base; and, since the import reads
    answers by label in any language, no label standing for two answers across languages.
    """
    if not isinstance(value, Mapping):
        check.error(
            "translations",
            f"must be a mapping of language codes to texts, got {type_name(value)}",
        )
        return ()
    translations = []
    for language, raw in value.items():
        path = f"translations.{language}"
        problem = language_problem(language)
        if problem:
            check.error(path, problem)
            continue
        translation = _Language(language, base, check).translation(raw, path)
        if translation is not None:
            translations.append(translation)
    _labels_apart_across_languages(base, translations, check)
    return tuple(sorted(translations, key=lambda t: t.language))


def _article(name: str) -> str:
    return f"an {name}" if name[:1].upper() in "AEIOU" else f"a {name}"


class _Language:
    """Checks one language's texts against the base instrument."""

    def __init__(self, language: str, base: InstrumentSpec, check: Checker) -> None:
        self.language = language
        self.base = base
        self.check = check
        self.a_text = f"{_article(django_languages()[0][language])} text"

    def missing(self, path: str, what: str) -> None:
        """``what`` ends with its verb: "every item needs", "... guidance need"."""
        self.check.error(path, f"missing ({what} {self.a_text})")

    def translation(self, raw: Any, path: str) -> TranslationSpec | None:
        if not isinstance(raw, Mapping):
            self.check.error(
                path, f"must be a mapping of the instrument's texts, got {type_name(raw)}"
            )
            return None
        for key in raw:
            if key not in LANGUAGE_KEYS:
                self.check.error(
                    f"{path}.{key}",
                    f"unknown key; allowed keys are {', '.join(sorted(LANGUAGE_KEYS))}",
                )
        base = self.base
        labels = self.scale_labels(raw, f"{path}.scale_labels")
        return TranslationSpec(
            language=self.language,
            needs_review=self.needs_review(raw, f"{path}.needs_review"),
            title=self.string(raw, f"{path}.title", "title", "the title needs", NAME_MAX),
            description=self.optional_string(
                raw, path, "description", base.description, "the description needs"
            ),
            scale_labels=labels,
            dont_know_label=self.dont_know_label(raw, path, labels),
            meta_prompts=self.meta_prompts(raw, f"{path}.meta_prompts"),
            dimensions=self.dimensions(raw, f"{path}.dimensions"),
            items=self.items(raw, f"{path}.items"),
        )

    def needs_review(self, raw: Mapping[str, Any], path: str) -> bool:
        if "needs_review" not in raw:
            self.check.error(
                path,
                "required key is missing: true until a native speaker has checked these "
                "texts, false once one has",
            )
            return True
        value = raw["needs_review"]
        if not isinstance(value, bool):
            self.check.error(path, f"must be true or false, got {type_name(value)}")
            return True
        return value

    def string(
        self,
        raw: Mapping[str, Any],
        path: str,
        key: str,
        what: str,
        max_length: int | None = None,
    ) -> str:
        if raw.get(key) is None:
            self.missing(path, what)
            return ""
        return self.check.text(raw[key], path, max_length=max_length)

    def optional_string(
        self,
        raw: Mapping[str, Any],
        path: str,
        key: str,
        base_value: str,
        what: str,
        max_length: int | None = None,
    ) -> str:
        """A string the base may leave out: required when the base has it, else refused."""
        if base_value:
            return self.string(raw, f"{path}.{key}", key, what, max_length)
        if raw.get(key) not in (None, ""):
            self.check.error(
                f"{path}.{key}",
                f"the instrument has no {key}, so there is nothing to translate",
            )
        return ""

    def scale_labels(self, raw: Mapping[str, Any], path: str) -> tuple[str, ...]:
        value = raw.get("scale_labels")
        if value is None:
            self.missing(path, "every scale label needs")
            return ()
        if not isinstance(value, list):
            self.check.error(path, f"must be a list of text, got {type_name(value)}")
            return ()
        labels = tuple(
            self.check.text(label, f"{path}[{i}]", max_length=NAME_MAX)
            for i, label in enumerate(value)
        )
        points = self.base.scale_points
        if points and len(labels) != points:
            self.check.error(
                path, f"must have one label per scale point ({points}), got {len(labels)}"
            )
        keys = [label_key(label) for label in labels if label]
        if len(set(keys)) != len(keys):
            self.check.error(path, "labels must all be different (ignoring case and spacing)")
        return labels

    def dont_know_label(self, raw: Mapping[str, Any], path: str, labels: tuple[str, ...]) -> str:
        label = self.optional_string(
            raw,
            path,
            "dont_know_label",
            self.base.dont_know_label,
            'the "don\'t know" answer needs',
            DONT_KNOW_MAX,
        )
        clash = next((s for s in labels if label and label_key(s) == label_key(label)), None)
        if clash is not None:
            self.check.error(
                f"{path}.dont_know_label",
                f"must differ from every scale label of this language (it is kept apart from "
                f"the scale), but matches {clash!r}",
            )
        return label

    def meta_prompts(self, raw: Mapping[str, Any], path: str) -> tuple[tuple[str, str], ...]:
        sides = [side for side, _ in self.base.meta_prompts]
        value = raw.get("meta_prompts")
        if not sides:
            if value not in (None, {}):
                self.check.error(
                    path, "the instrument has no meta_prompts, so there is nothing to translate"
                )
            return ()
        if value is None:
            self.missing(path, "every meta prompt needs")
            return ()
        if not isinstance(value, Mapping):
            self.check.error(
                path, f"must be a mapping of sides to questions, got {type_name(value)}"
            )
            return ()
        for side in value:
            if side not in sides:
                self.check.error(
                    f"{path}.{side}",
                    f"unknown key; the instrument asks meta prompts for {', '.join(sides)}",
                )
        return tuple(
            (
                side,
                self.string(value, f"{path}.{side}", side, "every meta prompt needs", PROMPT_MAX),
            )
            for side in sides
        )

    def codes(self, value: Any, path: str, known: list[str], what: str) -> Mapping[str, Any]:
        """``value`` as a mapping keyed by ``known`` codes; unknown codes are problems."""
        if not isinstance(value, Mapping):
            self.check.error(path, f"must be a mapping of {what} codes, got {type_name(value)}")
            return {}
        for code in value:
            if code not in known:
                self.check.error(
                    f"{path}.{code}", f"unknown {what} code: the instrument has no {what} {code!r}"
                )
        return value

    def dimensions(
        self, raw: Mapping[str, Any], path: str
    ) -> tuple[tuple[str, DimensionText], ...]:
        known = [d.code for d in self.base.dimensions if d.code]
        if raw.get("dimensions") is None:
            self.missing(path, "every dimension's name, description and guidance need")
            return ()
        value = self.codes(raw["dimensions"], path, known, "dimension")
        dimensions = []
        for code in known:
            entry_path = f"{path}.{code}"
            entry = value.get(code)
            if entry is None:
                self.missing(entry_path, "every dimension's name, description and guidance need")
                continue
            if not isinstance(entry, Mapping):
                self.check.error(
                    entry_path,
                    f"must be a mapping with name, description and guidance, got "
                    f"{type_name(entry)}",
                )
                continue
            for key in entry:
                if key not in DIMENSION_TEXT_KEYS:
                    self.check.error(
                        f"{entry_path}.{key}",
                        f"unknown key; allowed keys are {', '.join(DIMENSION_TEXT_KEYS)}",
                    )
            texts = [
                self.string(
                    entry,
                    f"{entry_path}.{key}",
                    key,
                    f"every dimension's {key} needs",
                    NAME_MAX if key == "name" else None,
                )
                for key in DIMENSION_TEXT_KEYS
            ]
            dimensions.append((code, DimensionText(*texts)))
        return tuple(dimensions)

    def items(self, raw: Mapping[str, Any], path: str) -> tuple[tuple[str, str], ...]:
        known = [item.code for d in self.base.dimensions for item in d.items if item.code]
        if raw.get("items") is None:
            self.missing(path, "every item needs")
            return ()
        value = self.codes(raw["items"], path, known, "item")
        items = []
        for code in known:
            items.append((code, self.string(value, f"{path}.{code}", code, "every item needs")))
        return tuple(items)


def _labels_apart_across_languages(
    base: InstrumentSpec, translations: list[TranslationSpec], check: Checker
) -> None:
    """The import reads an answer by its label in any of the instrument's languages, so a
    label may stand for one answer only: a scale label of one language may not be another
    language's label of a different point, nor any language's "don't know" label."""
    names = django_languages()[0]
    # (language, path, answer, label): answer is the point, or 0 for "don't know".
    seen: list[tuple[str, str, int, str]] = [
        (BASE_LANGUAGE, "", point, label) for point, label in enumerate(base.scale_labels, 1)
    ]
    if base.dont_know_label:
        seen.append((BASE_LANGUAGE, "", 0, base.dont_know_label))
    for translation in translations:
        path = f"translations.{translation.language}"
        labels = [
            (f"{path}.scale_labels[{point - 1}]", point, label)
            for point, label in enumerate(translation.scale_labels, 1)
        ]
        if translation.dont_know_label:
            labels.append((f"{path}.dont_know_label", 0, translation.dont_know_label))
        for label_path, answer, label in labels:
            clash = next(
                (
                    (language, other, other_label)
                    for language, _, other, other_label in seen
                    if language != translation.language
                    and other != answer
                    and label
                    and label_key(other_label) == label_key(label)
                ),
                None,
            )
            if clash is not None:
                language, other, other_label = clash
                what = f"the label of point {other}" if other else 'the "don\'t know" label'
                name = "English" if language == BASE_LANGUAGE else names[language]
                check.error(
                    label_path,
                    f"{label!r} is {what} in {name} ({other_label!r}); the import reads answers "
                    "by label in every language, so one label cannot stand for two answers",
                )
        seen.extend((translation.language, p, a, label) for p, a, label in labels)
