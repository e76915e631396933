"""Writes to the instrument tables: loading an instrument file, in one transaction."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from django.db import IntegrityError, transaction

from assessment.models import Dimension, Instrument, Item
from assessment.validation import (
    DimensionSpec,
    DimensionText,
    InstrumentError,
    InstrumentSpec,
    ItemSpec,
    TranslationSpec,
    instrument_file_parse,
)
from assessment.validation_translations import DIMENSION_TEXT_KEYS

__all__ = [
    "DEFAULT_INSTRUMENT_PATH",
    "V1_INSTRUMENT_PATH",
    "InstrumentError",
    "LoadResult",
    "instrument_load",
]

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
# The newest version is the default; older versions stay loadable by path.
DEFAULT_INSTRUMENT_PATH = INSTRUMENTS_DIR / "it-security-collaboration-v2.yaml"
V1_INSTRUMENT_PATH = INSTRUMENTS_DIR / "it-security-collaboration.yaml"


@dataclasses.dataclass(frozen=True)
class LoadResult:
    """What :func:`instrument_load` did: ``created`` a new version, ``changed`` one in place
    (``translations_only`` when nothing but its translations changed), or neither (the
    database already held exactly this content)."""

    instrument: Instrument
    created: bool
    changed: bool
    translations_only: bool = False


def instrument_load(*, path: Path | str | None = None) -> LoadResult:
    """Validate an instrument file and write it to the database, idempotently.

    ``path`` defaults to :data:`DEFAULT_INSTRUMENT_PATH`. The instrument is identified by
    ``slug`` + ``version``:

    - new: created with its dimensions and items (``created=True``);
    - same content as stored: nothing is written (``created=False, changed=False``);
    - different content, no answers yet: updated in place, dimensions and items matched by
      code so their ids stay stable, codes no longer in the file deleted (``changed=True``);
    - only the translations differ: they are replaced in place, answers or not
      (``changed=True, translations_only=True``): a translation does not change what the
      English statements ask, which answers and reports are bound to;
    - anything else different and at least one answer: refused, a change needs a new version.

    Everything happens in one transaction. Raises InstrumentError (file unreadable, invalid
    YAML, any validation problem naming its key path, or a refused change); nothing is
    written then.
    """
    path = DEFAULT_INSTRUMENT_PATH if path is None else Path(path)
    spec = instrument_file_parse(path=path)
    try:
        return _instrument_write(spec=spec, path=path)
    except IntegrityError:
        # Another process created the same slug and version at the same moment: look again.
        pass
    try:
        return _instrument_write(spec=spec, path=path)
    except IntegrityError as exc:
        raise InstrumentError(
            f"Could not save instrument {spec.slug!r} version {spec.version!r}: {exc}"
        ) from exc


def _instrument_write(*, spec: InstrumentSpec, path: Path) -> LoadResult:
    """Create, leave alone, update or refuse, in one transaction (see instrument_load)."""
    with transaction.atomic():
        instrument = (
            Instrument.objects.select_for_update()
            .filter(slug=spec.slug, version=spec.version)
            .first()
        )
        if instrument is None:
            instrument = _instrument_create(spec=spec)
            return LoadResult(instrument=instrument, created=True, changed=False)
        stored = _instrument_spec(instrument=instrument)
        if stored == spec:
            if instrument.source_sha256 != spec.sha256():
                instrument.source_sha256 = spec.sha256()
                instrument.save(update_fields=["source_sha256"])
            return LoadResult(instrument=instrument, created=False, changed=False)
        if stored.untranslated() == spec.untranslated():
            _translations_update(instrument=instrument, spec=spec)
            return LoadResult(
                instrument=instrument, created=False, changed=True, translations_only=True
            )
        if Item.objects.filter(dimension__instrument=instrument, answers__isnull=False).exists():
            raise InstrumentError(
                f"Instrument {spec.slug!r} version {spec.version!r} already has answers "
                f"and cannot be changed except for its translations: a change needs a new "
                f"version (raise `version` in {path})."
            )
        _instrument_update(instrument=instrument, spec=spec)
        return LoadResult(instrument=instrument, created=False, changed=True)


def _instrument_spec(*, instrument: Instrument) -> InstrumentSpec:
    """Rebuild the stored instrument as a spec, to compare with a file's."""
    items_by_dimension: dict[int, list[ItemSpec]] = {}
    rows = (
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("dimension__order", "order", "pk")
        .values_list(
            "dimension_id",
            "code",
            "text",
            "kind",
            "reverse_scored",
            "mirror_of__code",
            "about",
            "meta_perception",
            "translations",
        )
    )
    item_translations: list[tuple[str, dict]] = []
    for dimension_id, code, text, kind, reverse_scored, mirror_code, about, meta, texts in rows:
        item_translations.append((code, texts or {}))
        items_by_dimension.setdefault(dimension_id, []).append(
            ItemSpec(
                code=code,
                text=text,
                kind=kind,
                reverse_scored=reverse_scored,
                mirror_of=mirror_code or "",
                about=about,
                meta_perception=meta,
            )
        )
    stored_dimensions = list(instrument.dimensions.order_by("order", "pk"))
    dimensions = tuple(
        DimensionSpec(
            code=d.code,
            name=d.name,
            description=d.description,
            guidance=d.guidance,
            items=tuple(items_by_dimension.get(d.pk, [])),
        )
        for d in stored_dimensions
    )
    dimension_translations = [(d.code, d.translations or {}) for d in stored_dimensions]
    return InstrumentSpec(
        slug=instrument.slug,
        version=instrument.version,
        title=instrument.title,
        description=instrument.description,
        scale_points=instrument.scale_points,
        scale_labels=tuple(instrument.scale_labels or ()),
        dimensions=dimensions,
        dont_know_label=instrument.dont_know_label,
        meta_prompts=tuple(sorted((instrument.meta_prompts or {}).items())),
        translations=tuple(
            _translation_spec(language, texts, dimension_translations, item_translations)
            for language, texts in sorted((instrument.translations or {}).items())
        ),
    )


def _translation_spec(
    language: str,
    texts: dict,
    dimensions: list[tuple[str, dict]],
    items: list[tuple[str, dict]],
) -> TranslationSpec:
    """One stored language as a spec; a text missing from the database reads as ""."""

    def text_of(translations: dict, key: str) -> str:
        return str((translations.get(language) or {}).get(key) or "")

    return TranslationSpec(
        language=language,
        needs_review=texts.get("needs_review") is not False,
        title=str(texts.get("title") or ""),
        description=str(texts.get("description") or ""),
        scale_labels=tuple(texts.get("scale_labels") or ()),
        dont_know_label=str(texts.get("dont_know_label") or ""),
        meta_prompts=tuple(sorted((texts.get("meta_prompts") or {}).items())),
        dimensions=tuple(
            (code, DimensionText(*(text_of(t, key) for key in DIMENSION_TEXT_KEYS)))
            for code, t in dimensions
        ),
        items=tuple((code, text_of(t, "text")) for code, t in items),
    )


def _translations_by_code(
    spec: InstrumentSpec,
) -> tuple[dict[str, dict], dict[str, dict], dict[str, dict]]:
    """The spec's translations as the three models store them: ``(instrument's {language:
    texts}, {dimension code: {language: texts}}, {item code: {language: {"text": ...}}})``."""
    instrument: dict[str, dict] = {}
    dimensions: dict[str, dict] = {}
    items: dict[str, dict] = {}
    for translation in spec.translations:
        language = translation.language
        instrument[language] = translation.instrument_texts()
        for code, texts in translation.dimensions:
            dimensions.setdefault(code, {})[language] = dataclasses.asdict(texts)
        for code, text in translation.items:
            items.setdefault(code, {})[language] = {"text": text}
    return instrument, dimensions, items


def _translations_update(*, instrument: Instrument, spec: InstrumentSpec) -> None:
    """Replace the translations of every row of ``instrument`` with the spec's (English
    texts and structure untouched), and record the file's digest."""
    instrument_texts, dimension_texts, item_texts = _translations_by_code(spec)
    instrument.translations = instrument_texts
    instrument.source_sha256 = spec.sha256()
    instrument.save(update_fields=["translations", "source_sha256"])
    dimensions = list(instrument.dimensions.all())
    for dimension in dimensions:
        dimension.translations = dimension_texts.get(dimension.code, {})
    Dimension.objects.bulk_update(dimensions, ["translations"])
    items = list(Item.objects.filter(dimension__instrument=instrument))
    for item in items:
        item.translations = item_texts.get(item.code, {})
    Item.objects.bulk_update(items, ["translations"])


def _instrument_create(*, spec: InstrumentSpec) -> Instrument:
    instrument_texts, dimension_texts, item_texts = _translations_by_code(spec)
    instrument = Instrument.objects.create(
        slug=spec.slug,
        version=spec.version,
        title=spec.title,
        description=spec.description,
        scale_points=spec.scale_points,
        scale_labels=list(spec.scale_labels),
        dont_know_label=spec.dont_know_label,
        meta_prompts=spec.prompts,
        translations=instrument_texts,
        source_sha256=spec.sha256(),
    )
    dimensions = Dimension.objects.bulk_create(
        [
            Dimension(
                instrument=instrument,
                code=d.code,
                name=d.name,
                description=d.description,
                guidance=d.guidance,
                order=order,
                translations=dimension_texts.get(d.code, {}),
            )
            for order, d in enumerate(spec.dimensions, start=1)
        ]
    )
    items = Item.objects.bulk_create(
        [
            Item(
                dimension=dimension,
                code=i.code,
                text=i.text,
                kind=i.kind,
                reverse_scored=i.reverse_scored,
                about=i.about,
                meta_perception=i.meta_perception,
                order=order,
                translations=item_texts.get(i.code, {}),
            )
            for dimension, d in zip(dimensions, spec.dimensions, strict=True)
            for order, i in enumerate(d.items, start=1)
        ]
    )
    _mirrors_set(items={item.code: item for item in items}, spec=spec)
    return instrument


def _instrument_update(*, instrument: Instrument, spec: InstrumentSpec) -> None:
    """Update an unanswered version in place, matching dimensions and items by code.

    Rows whose code is still in the file keep their id; codes gone from the file are deleted
    last, so an item moved to another dimension is moved, not recreated.
    """
    instrument.title = spec.title
    instrument.description = spec.description
    instrument.scale_points = spec.scale_points
    instrument.scale_labels = list(spec.scale_labels)
    instrument.dont_know_label = spec.dont_know_label
    instrument.meta_prompts = spec.prompts
    instrument.source_sha256 = spec.sha256()
    instrument.save()

    stored_dimensions = {d.code: d for d in instrument.dimensions.all()}
    dimensions: dict[str, Dimension] = {}
    new_dimensions: list[Dimension] = []
    for order, d in enumerate(spec.dimensions, start=1):
        dimension = stored_dimensions.get(d.code)
        if dimension is None:
            dimension = Dimension(instrument=instrument, code=d.code)
            new_dimensions.append(dimension)
        dimension.name, dimension.description = d.name, d.description
        dimension.guidance, dimension.order = d.guidance, order
        dimensions[d.code] = dimension
    Dimension.objects.bulk_create(new_dimensions)
    Dimension.objects.bulk_update(
        [stored_dimensions[code] for code in dimensions if code in stored_dimensions],
        ["name", "description", "guidance", "order"],
    )

    stored_items = {i.code: i for i in Item.objects.filter(dimension__instrument=instrument)}
    items: dict[str, Item] = {}
    new_items: list[Item] = []
    for d in spec.dimensions:
        for order, i in enumerate(d.items, start=1):
            item = stored_items.get(i.code)
            if item is None:
                item = Item(code=i.code)
                new_items.append(item)
            item.dimension = dimensions[d.code]
            item.text, item.kind, item.reverse_scored = i.text, i.kind, i.reverse_scored
            item.about, item.meta_perception = i.about, i.meta_perception
            item.order, item.mirror_of = order, None
            items[i.code] = item
    Item.objects.bulk_create(new_items)
    Item.objects.bulk_update(
        [stored_items[code] for code in items if code in stored_items],
        [
            "dimension",
            "text",
            "kind",
            "reverse_scored",
            "about",
            "meta_perception",
            "order",
            "mirror_of",
        ],
    )
    _mirrors_set(items=items, spec=spec)

    Item.objects.filter(dimension__instrument=instrument).exclude(code__in=items).delete()
    instrument.dimensions.exclude(code__in=dimensions).delete()
    _translations_update(instrument=instrument, spec=spec)


def _mirrors_set(*, items: dict[str, Item], spec: InstrumentSpec) -> None:
    """Point each item's ``mirror_of`` at its partner, once every item has an id."""
    linked = []
    for d in spec.dimensions:
        for i in d.items:
            if i.mirror_of:
                item = items[i.code]
                item.mirror_of = items[i.mirror_of]
                linked.append(item)
    if linked:
        Item.objects.bulk_update(linked, ["mirror_of"])
