"""Choosing an instrument's text for a language code, falling back to English. Pure: no Django.

Translations are stored as ``{language code: {key: text}}`` (``Instrument.translations``,
``Dimension.translations``, ``Item.translations``); the English text is the model's own
field. The model methods (``Item.text_in`` ...) call :func:`translated`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def language_candidates(language: str | None) -> list[str]:
    """The codes to look for, most specific first: ``"fr-ca"`` -> ``["fr-ca", "fr"]``,
    ``"pt_BR"`` -> ``["pt-br", "pt"]``, ``"de"`` -> ``["de"]``; none for None or ``""``."""
    code = (language or "").strip().lower().replace("_", "-")
    if not code:
        return []
    generic = code.split("-")[0]
    return [code] if generic == code else [code, generic]


def translation_for(
    translations: Mapping[str, Any] | None, language: str | None
) -> Mapping[str, Any]:
    """The texts stored for ``language`` in ``translations``, or for its generic language
    (``fr`` for ``fr-ca``); ``{}`` when there are none (then the English text applies)."""
    for code in language_candidates(language):
        texts = (translations or {}).get(code)
        if isinstance(texts, Mapping):
            return texts
    return {}


def translated(
    translations: Mapping[str, Any] | None, language: str | None, key: str, default: T
) -> T:
    """The text ``key`` in ``language`` (see :func:`translation_for`), else ``default`` (the
    English text). A stored value of another type than ``default``, an empty one, or a list
    of another length (scale labels) counts as missing."""
    value = translation_for(translations, language).get(key)
    if not value or not isinstance(value, type(default)):
        return default
    if isinstance(default, list | tuple) and len(value) != len(default):
        return default
    return value
