"""Tests of assessment.languages: which stored translation answers a language code."""

from __future__ import annotations

import pytest

from assessment.languages import language_candidates, translated, translation_for

TRANSLATIONS = {"fr": {"text": "Bonjour", "labels": ["Non", "Oui"]}, "pt-br": {"text": "Olá"}}


@pytest.mark.parametrize(
    ("language", "candidates"),
    [
        ("fr", ["fr"]),
        ("fr-ca", ["fr-ca", "fr"]),
        ("pt_BR", ["pt-br", "pt"]),
        ("", []),
        (None, []),
    ],
)
def test_language_candidates_go_from_regional_to_generic(language, candidates):
    assert language_candidates(language) == candidates


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Bonjour"), ("fr-ch", "Bonjour"), ("pt-BR", "Olá"), ("pt", "Hello"), ("de", "Hello")],
)
def test_translated_matches_the_language_or_falls_back(language, text):
    assert translated(TRANSLATIONS, language, "text", "Hello") == text


def test_a_wrong_or_empty_stored_value_counts_as_missing():
    assert translated(TRANSLATIONS, "fr", "labels", ["No", "Maybe", "Yes"]) == [
        "No",
        "Maybe",
        "Yes",
    ]
    assert translated(TRANSLATIONS, "fr", "labels", ["No", "Yes"]) == ["Non", "Oui"]
    assert translated({"fr": {"text": ""}}, "fr", "text", "Hello") == "Hello"
    assert translated({"fr": {"text": 3}}, "fr", "text", "Hello") == "Hello"
    assert translated(None, "fr", "text", "Hello") == "Hello"
    assert translation_for({"fr": "not a mapping"}, "fr") == {}
