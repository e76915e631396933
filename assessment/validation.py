"""Reading and validating instrument files (the public YAML format). Pure: no Django.

The format is documented in ``docs/instrument-format.md``. :func:`instrument_file_parse`
turns a file into an :class:`InstrumentSpec` or raises :class:`InstrumentError` whose message
names every offending key path and its problem, e.g.
``dimensions[2].items[0].kind: must be 'likert', 'outcome' or 'text', got 'radio'``.
The spec values are in :mod:`assessment.instrument_spec`, the checks of the ``translations``
key in :mod:`assessment.validation_translations`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assessment.instrument_spec import (
    DONT_KNOW_MAX,
    NAME_MAX,
    PROMPT_MAX,
    DimensionSpec,
    DimensionText,
    InstrumentError,
    InstrumentSpec,
    ItemSpec,
    TranslationSpec,
    label_key,
    type_name,
)
from assessment.validation_translations import translations_validate
from assessment.yaml_limits import YamlLimitError, yaml_load_bounded

# The spec values live in assessment.instrument_spec; importing them from here still works.
__all__ = [
    "DimensionSpec",
    "DimensionText",
    "InstrumentError",
    "InstrumentSpec",
    "ItemSpec",
    "TranslationSpec",
    "instrument_file_parse",
    "instrument_validate",
]

MIN_SCALE_POINTS = 4
MAX_SCALE_POINTS = 7
KINDS = ("likert", "outcome", "text")
SIDES = ("it", "security")  # the sides a statement can be about and meta prompts ask

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CODE_MAX = 40
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
VERSION_MAX = 40

TOP_KEYS = {
    "slug",
    "version",
    "title",
    "description",
    "scale",
    "dont_know_label",
    "meta_prompts",
    "dimensions",
    "translations",
}
OPTIONAL_TOP_KEYS = {"description", "dont_know_label", "meta_prompts", "translations"}
SCALE_KEYS = {"points", "labels"}
DIMENSION_KEYS = {"code", "name", "description", "guidance", "items"}
ITEM_KEYS = {"code", "text", "kind", "reverse_scored", "mirror_of", "about", "meta_perception"}


def instrument_file_parse(*, path: Path | str) -> InstrumentSpec:
    """Read a YAML instrument file and validate it.

    Uses ``yaml.safe_load``. Raises InstrumentError for a file that cannot be read or decoded
    as UTF-8, invalid YAML (with line and column), an empty file, a top level that is not a
    mapping, or any validation problem (see :func:`instrument_validate`).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(f"Instrument file not found: {path}") from None
    except IsADirectoryError:
        raise InstrumentError(f"Instrument path is a directory, not a file: {path}") from None
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"Instrument file {path} is not valid UTF-8: {exc.reason}") from None
    except OSError as exc:
        raise InstrumentError(f"Cannot read instrument file {path}: {exc.strerror}") from None
    try:
        data = yaml_load_bounded(text)
    except YamlLimitError as exc:
        raise InstrumentError(f"Instrument file {path} is not read: {exc}.") from None
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        message = f"Instrument file {path} is not valid YAML{where}: {problem}"
        raise InstrumentError(message) from None
    if data is None:
        raise InstrumentError(f"Instrument file {path} is empty.")
    return instrument_validate(data=data, source=str(path))


def instrument_validate(*, data: Any, source: str = "") -> InstrumentSpec:
    """Check every key of a parsed instrument and return it normalised.

    Collects all problems before raising one InstrumentError listing them, each as
    ``key.path: problem``. Checks: required and unknown keys, types, slug/code/version
    format, scale points 4..7 with one label per point, ``dont_know_label`` unlike every
    scale label, ``meta_prompts`` a question per side (``it``, ``security``), unique dimension
    codes, item codes unique across the instrument, kind in likert|outcome|text,
    reverse_scored a boolean (required on Likert items, never true on text or outcome
    items), mirror_of naming another Likert item (each item in at most one mirror pair, both
    items with ``about`` and different ``about``), ``about`` and ``meta_perception`` on
    Likert items only, meta-perception only with a prompt for both sides, at most one
    outcome item and in a dimension without Likert items, at least one Likert or outcome item
    per dimension, no empty text; and ``translations``, every string in each other language
    (:func:`assessment.validation_translations.translations_validate`).
    """
    errors: list[str] = []
    spec = _Validator(errors).instrument(data)
    if errors or spec is None:
        prefix = f"Invalid instrument file {source}" if source else "Invalid instrument"
        if len(errors) == 1:
            message = f"{prefix}: {errors[0]}"
        else:
            message = f"{prefix} ({len(errors)} problems):\n" + "\n".join(f"- {e}" for e in errors)
        raise InstrumentError(message, errors)
    return spec


class _Validator:
    """Walks the parsed YAML, appending ``path: problem`` lines to ``errors``."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self.meta_paths: list[str] = []  # items marked meta_perception: true
        self.outcome_paths: list[str] = []  # items of kind outcome

    def error(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def mapping(self, value: Any, path: str, allowed: set[str], required: set[str]) -> bool:
        label = path or "top level"
        if not isinstance(value, Mapping):
            self.error(label, f"must be a mapping of keys to values, got {type_name(value)}")
            return False
        for key in value:
            if key not in allowed:
                self.error(
                    self.join(path, str(key)),
                    f"unknown key; allowed keys are {', '.join(sorted(allowed))}",
                )
        for key in sorted(required - set(value)):
            self.error(self.join(path, key), "required key is missing")
        return True

    @staticmethod
    def join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def text(
        self,
        value: Any,
        path: str,
        *,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        allow_empty: bool = False,
    ) -> str:
        if not isinstance(value, str):
            self.error(path, f"must be text, got {type_name(value)}")
            return ""
        value = value.strip()
        if not value and not allow_empty:
            self.error(path, "must not be empty")
            return ""
        if max_length is not None and len(value) > max_length:
            self.error(path, f"must be at most {max_length} characters, got {len(value)}")
        if pattern is not None and value and not pattern.match(value):
            self.error(path, f"{hint}, got {value!r}")
        return value

    def instrument(self, data: Any) -> InstrumentSpec | None:
        required = TOP_KEYS - OPTIONAL_TOP_KEYS
        if not self.mapping(data, "", TOP_KEYS, required):
            return None
        slug = (
            self.text(
                data.get("slug"),
                "slug",
                max_length=SLUG_MAX,
                pattern=SLUG_RE,
                hint="must be lowercase letters and digits separated by single hyphens",
            )
            if "slug" in data
            else ""
        )
        version = self.version(data["version"]) if "version" in data else ""
        title = self.text(data["title"], "title", max_length=NAME_MAX) if "title" in data else ""
        description = ""
        if "description" in data:
            description = self.text(data["description"], "description", allow_empty=True)
        points, labels = self.scale(data["scale"]) if "scale" in data else (0, ())
        dont_know = ""
        if data.get("dont_know_label") is not None:
            dont_know = self.dont_know_label(data["dont_know_label"], labels)
        prompts: dict[str, str] = {}
        if data.get("meta_prompts") is not None:
            prompts = self.meta_prompts(data["meta_prompts"])
        dimensions = self.dimensions(data["dimensions"]) if "dimensions" in data else ()
        self.meta_perception_prompts(prompts, meta_prompts_given="meta_prompts" in data)
        spec = InstrumentSpec(
            slug=slug,
            version=version,
            title=title,
            description=description,
            scale_points=points,
            scale_labels=labels,
            dimensions=dimensions,
            dont_know_label=dont_know,
            meta_prompts=tuple(sorted(prompts.items())),
        )
        if data.get("translations") is None:
            return spec
        translations = translations_validate(data["translations"], base=spec, check=self)
        return dataclasses.replace(spec, translations=translations)

    def dont_know_label(self, value: Any, labels: tuple[str, ...]) -> str:
        # Empty means "not offered", as in the database.
        label = self.text(value, "dont_know_label", max_length=DONT_KNOW_MAX, allow_empty=True)
        # The import reads answers by label, ignoring case and spacing: keep them apart so.
        key = label_key(label)
        clash = next((s for s in labels if key and label_key(s) == key), None)
        if clash is not None:
            self.error(
                "dont_know_label",
                f"must differ from every scale label (it is kept apart from the scale), "
                f"but matches {clash!r}",
            )
        return label

    def meta_prompts(self, value: Any) -> dict[str, str]:
        if not self.mapping(value, "meta_prompts", set(SIDES), set()):
            return {}
        return {
            side: prompt
            for side in SIDES
            if side in value
            and (prompt := self.text(value[side], f"meta_prompts.{side}", max_length=PROMPT_MAX))
        }

    def meta_perception_prompts(self, prompts: dict[str, str], *, meta_prompts_given: bool) -> None:
        """A meta-perception statement asks each side about the other: both need a prompt."""
        missing = [side for side in SIDES if side not in prompts]
        if not missing:
            return
        for path in self.meta_paths:
            if not meta_prompts_given:
                problem = (
                    "needs the top-level key meta_prompts with a question for each side "
                    "('it' and 'security') to ask how the other side would answer"
                )
            else:
                names = " and ".join(repr(side) for side in missing)
                problem = (
                    f"meta_prompts has no question for {names}, so those respondents "
                    "have no other side to be asked about"
                )
            self.error(path, problem)

    def version(self, value: Any) -> str:
        # YAML reads `version: 2` as a number; accept whole numbers and keep them as text.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error("version", f'must be text such as "1", got {type_name(value)}')
            return ""
        return self.text(
            value,
            "version",
            max_length=VERSION_MAX,
            pattern=VERSION_RE,
            hint="must be letters, digits, '.', '_' or '-', starting with a letter or digit",
        )

    def scale(self, value: Any) -> tuple[int, tuple[str, ...]]:
        if not self.mapping(value, "scale", SCALE_KEYS, SCALE_KEYS):
            return 0, ()
        points = value.get("points")
        if "points" in value:
            if not isinstance(points, int) or isinstance(points, bool):
                self.error("scale.points", f"must be a whole number, got {type_name(points)}")
                points = 0
            elif not MIN_SCALE_POINTS <= points <= MAX_SCALE_POINTS:
                self.error(
                    "scale.points",
                    f"must be between {MIN_SCALE_POINTS} and {MAX_SCALE_POINTS}, got {points}",
                )
                points = 0  # no label count to check against
        else:
            points = 0
        labels: list[str] = []
        if "labels" in value:
            raw = value["labels"]
            if not isinstance(raw, list):
                self.error("scale.labels", f"must be a list of text, got {type_name(raw)}")
            else:
                labels = [
                    self.text(label, f"scale.labels[{i}]", max_length=NAME_MAX)
                    for i, label in enumerate(raw)
                ]
                if points and len(labels) != points:
                    self.error(
                        "scale.labels",
                        f"must have one label per scale point ({points}), got {len(labels)}",
                    )
                seen = [label for label in labels if label]
                if len(set(seen)) != len(seen):
                    self.error("scale.labels", "labels must all be different")
        return points, tuple(labels)

    def dimensions(self, value: Any) -> tuple[DimensionSpec, ...]:
        if not isinstance(value, list):
            self.error("dimensions", f"must be a list of dimensions, got {type_name(value)}")
            return ()
        if not value:
            self.error("dimensions", "must list at least one dimension")
            return ()
        dimensions = tuple(
            dimension
            for i, raw in enumerate(value)
            if (dimension := self.dimension(raw, f"dimensions[{i}]")) is not None
        )
        self.unique_codes(
            [
                (f"dimensions[{i}].code", raw.get("code"))
                for i, raw in enumerate(value)
                if isinstance(raw, Mapping)
            ],
            what="dimension",
        )
        item_codes = [
            (f"dimensions[{i}].items[{j}].code", item.get("code"))
            for i, raw in enumerate(value)
            if isinstance(raw, Mapping) and isinstance(raw.get("items"), list)
            for j, item in enumerate(raw["items"])
            if isinstance(item, Mapping)
        ]
        self.unique_codes(item_codes, what="item")
        self.mirrors(value, dimensions)
        for path in self.outcome_paths[1:]:
            self.error(
                f"{path}.kind",
                f"an instrument has at most one 'outcome' item, already one at "
                f"{self.outcome_paths[0]}",
            )
        return dimensions

    def unique_codes(self, paths_and_codes: list[tuple[str, Any]], *, what: str) -> None:
        first_seen: dict[str, str] = {}
        for path, code in paths_and_codes:
            if not isinstance(code, str) or not code.strip():
                continue
            code = code.strip()
            if code in first_seen:
                self.error(
                    path, f"duplicate {what} code {code!r}, already used at {first_seen[code]}"
                )
            else:
                first_seen[code] = path

    def code(self, value: Any, path: str) -> str:
        return self.text(
            value,
            path,
            max_length=CODE_MAX,
            pattern=CODE_RE,
            hint="must start with a lowercase letter, then lowercase letters, digits or '_'",
        )

    def dimension(self, raw: Any, path: str) -> DimensionSpec | None:
        if not self.mapping(raw, path, DIMENSION_KEYS, DIMENSION_KEYS):
            return None
        code = self.code(raw["code"], f"{path}.code") if "code" in raw else ""
        name = self.text(raw["name"], f"{path}.name", max_length=NAME_MAX) if "name" in raw else ""
        description = (
            self.text(raw["description"], f"{path}.description") if ("description" in raw) else ""
        )
        guidance = self.text(raw["guidance"], f"{path}.guidance") if "guidance" in raw else ""
        items: tuple[ItemSpec, ...] = ()
        if "items" in raw:
            items_raw = raw["items"]
            if not isinstance(items_raw, list):
                self.error(f"{path}.items", f"must be a list of items, got {type_name(items_raw)}")
            else:
                items = tuple(
                    item
                    for j, item_raw in enumerate(items_raw)
                    if (item := self.item(item_raw, f"{path}.items[{j}]")) is not None
                )
                kinds_ok = all(isinstance(i, Mapping) and i.get("kind") in KINDS for i in items_raw)
                kinds = [i.get("kind") for i in items_raw] if kinds_ok else []
                if kinds_ok and "likert" not in kinds and "outcome" not in kinds:
                    self.error(
                        f"{path}.items", "must contain at least one 'likert' or 'outcome' item"
                    )
                if "likert" in kinds and "outcome" in kinds:
                    # A dimension's score is the mean of its Likert items; keeping the outcome
                    # in a dimension of its own means no score could ever be read as including it.
                    self.error(
                        f"{path}.items",
                        "an 'outcome' item must be in a dimension of its own, without "
                        "'likert' items",
                    )
        return DimensionSpec(
            code=code, name=name, description=description, guidance=guidance, items=items
        )

    def item(self, raw: Any, path: str) -> ItemSpec | None:
        if not self.mapping(raw, path, ITEM_KEYS, {"code", "text", "kind"}):
            return None
        code = self.code(raw["code"], f"{path}.code") if "code" in raw else ""
        text = self.text(raw["text"], f"{path}.text") if "text" in raw else ""
        kind = raw.get("kind")
        if "kind" in raw and kind not in KINDS:
            shown = repr(kind) if isinstance(kind, str) else type_name(kind)
            self.error(f"{path}.kind", f"must be 'likert', 'outcome' or 'text', got {shown}")
        if kind == "outcome":
            self.outcome_paths.append(path)
        reverse_scored = raw.get("reverse_scored", False)
        if "reverse_scored" in raw and not isinstance(reverse_scored, bool):
            self.error(
                f"{path}.reverse_scored",
                f"must be true or false, got {type_name(reverse_scored)}",
            )
            reverse_scored = False
        if kind == "likert" and "reverse_scored" not in raw:
            self.error(f"{path}.reverse_scored", "required key is missing on a 'likert' item")
        if kind == "text" and reverse_scored is True:
            self.error(f"{path}.reverse_scored", "must be false on a 'text' item")
        if kind == "outcome" and reverse_scored is True:
            self.error(
                f"{path}.reverse_scored",
                "must be false on an 'outcome' item: the outcome is never reverse-scored "
                "(word it so that agreeing means things go well)",
            )
        mirror_of = ""
        if "mirror_of" in raw and raw["mirror_of"] is not None:
            mirror_of = self.code(raw["mirror_of"], f"{path}.mirror_of")
            if kind in KINDS and kind != "likert":
                self.error(f"{path}.mirror_of", "only 'likert' items can be mirrored")
        about = ""
        if "about" in raw and raw["about"] is not None:
            about = raw["about"]
            if about not in SIDES:
                shown = repr(about) if isinstance(about, str) else type_name(about)
                self.error(f"{path}.about", f"must be 'it' or 'security', got {shown}")
                about = ""
            elif kind in KINDS and kind != "likert":
                self.error(f"{path}.about", "only 'likert' items describe one side's behaviour")
        meta_perception = raw.get("meta_perception", False)
        if "meta_perception" in raw and not isinstance(meta_perception, bool):
            self.error(
                f"{path}.meta_perception",
                f"must be true or false, got {type_name(meta_perception)}",
            )
            meta_perception = False
        if meta_perception is True:
            if kind in KINDS and kind != "likert":
                self.error(
                    f"{path}.meta_perception",
                    f"only 'likert' items can ask how the other side would answer, "
                    f"this item is {kind!r}",
                )
            else:
                self.meta_paths.append(f"{path}.meta_perception")
        return ItemSpec(
            code=code,
            text=text,
            kind=kind if kind in KINDS else "",
            reverse_scored=bool(reverse_scored),
            mirror_of=mirror_of,
            about=about,
            meta_perception=bool(meta_perception),
        )

    def mirrors(self, raw_dimensions: list[Any], dimensions: tuple[DimensionSpec, ...]) -> None:
        """Each mirror_of names another Likert item; an item belongs to at most one pair; both
        items of a pair say whose behaviour they describe (``about``), and not the same side."""
        kinds = {item.code: item.kind for d in dimensions for item in d.items if item.code}
        raw_items = {
            item["code"].strip(): (f"dimensions[{i}].items[{j}]", item.get("about"))
            for i, raw in enumerate(raw_dimensions)
            if isinstance(raw, Mapping) and isinstance(raw.get("items"), list)
            for j, item in enumerate(raw["items"])
            if isinstance(item, Mapping) and isinstance(item.get("code"), str)
        }
        partner: dict[str, str] = {}
        for i, raw in enumerate(raw_dimensions):
            if not isinstance(raw, Mapping) or not isinstance(raw.get("items"), list):
                continue
            for j, item in enumerate(raw["items"]):
                if not isinstance(item, Mapping):
                    continue
                code, target = item.get("code"), item.get("mirror_of")
                if not isinstance(code, str) or not isinstance(target, str) or not target:
                    continue
                code, target = code.strip(), target.strip()
                path = f"dimensions[{i}].items[{j}].mirror_of"
                if target == code:
                    self.error(path, "an item cannot mirror itself")
                elif target not in kinds:
                    self.error(path, f"names no item of this instrument: {target!r}")
                elif kinds[target] != "likert":
                    self.error(path, f"must name a 'likert' item, {target!r} is {kinds[target]!r}")
                else:
                    for one, other in ((code, target), (target, code)):
                        if partner.setdefault(one, other) != other:
                            self.error(
                                path,
                                f"{one!r} is already paired with {partner[one]!r}; "
                                "an item belongs to at most one mirror pair",
                            )
                            break
        pairs = sorted({tuple(sorted(pair)) for pair in partner.items()})
        for pair in pairs:
            self.mirror_about(pair, raw_items)

    def mirror_about(self, pair: tuple[str, ...], raw_items: dict[str, tuple[str, Any]]) -> None:
        """Both statements of a mirror pair name the side they describe, and differ."""
        one, other = pair
        for code, partner_code in ((one, other), (other, one)):
            path, about = raw_items[code]
            if about is None:
                self.error(
                    f"{path}.about",
                    f"required on a mirror statement ({code!r} is paired with "
                    f"{partner_code!r}): 'it' or 'security', whose behaviour it describes",
                )
        (path_one, about_one), (path_other, about_other) = raw_items[one], raw_items[other]
        if about_one in SIDES and about_one == about_other:
            self.error(
                f"{path_other}.about",
                f"must differ from its mirror {one!r} ({path_one}): both are {about_one!r}, "
                "but a mirror pair asks about each side once",
            )
