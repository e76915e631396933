"""Tests of survey.attributes: naming and labelling a round's profile attributes, and their
translations (issue 17)."""

from __future__ import annotations

import pytest

from survey.attributes import (
    attribute_choice_label,
    attribute_choice_labels,
    attribute_label,
    attribute_name_label,
    attribute_name_problem,
    attribute_translations_missing,
    profile_attributes_problems,
)

LANGUAGES = ["en", "fr", "de", "es"]
REGION = {
    "name": "region",
    "label": "Region",
    "choices": ["EMEA", "Americas", "APAC"],
    "translations": {
        "fr": {"label": "Région", "choices": ["EMEA", "Amériques", "APAC"]},
        "de": {"label": "Region", "choices": ["EMEA", "Amerika", "APAC"]},
    },
}


def test_attribute_label_is_the_declared_label_else_the_name():
    assert attribute_label({"name": "region", "label": "Where you work"}) == "Where you work"
    assert attribute_label({"name": "region", "label": ""}) == "region"
    assert attribute_label({"name": "region"}) == "region"


def test_attribute_name_label_makes_a_name_readable():
    assert attribute_name_label("job_family") == "Job family"
    assert attribute_name_label("region") == "Region"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("region", ""),
        ("job_family2", ""),
        ("Region", "is not an attribute name"),
        ("2nd", "is not an attribute name"),
        ("a" * 41, "is not an attribute name"),
        (None, "is not an attribute name"),
        ("side", "already a profile field"),
        ("submitted_on", "already a profile field"),
        ("item_code", "names a column of the responses export"),
    ],
)
def test_attribute_name_problem_says_why_a_name_cannot_be_used(name, problem):
    found = attribute_name_problem(name)
    assert (problem in found) if problem else found == ""


# --- translations -----------------------------------------------------------------------------


def with_french(french) -> list[dict]:
    """The region question whose French translation is ``french``."""
    return [{**REGION, "translations": {"fr": french}}]


def test_translated_attributes_are_valid():
    assert profile_attributes_problems([REGION], languages=LANGUAGES) == []
    assert profile_attributes_problems([{**REGION, "translations": {}}], languages=LANGUAGES) == []


@pytest.mark.parametrize(
    ("french", "message"),
    [
        (
            "Région",
            "Attribute 'region', translation 'fr': must be an object with a label and choices.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "Amériques", "APAC"], "text": "x"},
            "Attribute 'region', translation 'fr': unknown keys text (a translation has label "
            "and choices).",
        ),
        (
            {"choices": ["EMEA", "Amériques", "APAC"]},
            "Attribute 'region', translation 'fr': the label must be text of 1 to 100 characters.",
        ),
        (
            {"label": "  ", "choices": ["EMEA", "Amériques", "APAC"]},
            "Attribute 'region', translation 'fr': the label must be text of 1 to 100 characters.",
        ),
        (
            {"label": "R" * 101, "choices": ["EMEA", "Amériques", "APAC"]},
            "Attribute 'region', translation 'fr': the label must be text of 1 to 100 characters.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "Amériques"]},
            "Attribute 'region', translation 'fr': give 3 choices, the translations of EMEA, "
            "Americas, APAC in that order (got 2).",
        ),
        (
            {"label": "Région"},
            "Attribute 'region', translation 'fr': choices must be a list of non-blank texts "
            "of at most 100 characters.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "", "APAC"]},
            "Attribute 'region', translation 'fr': choices must be a list of non-blank texts "
            "of at most 100 characters.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "A" * 101, "APAC"]},
            "Attribute 'region', translation 'fr': choices must be a list of non-blank texts "
            "of at most 100 characters.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "emea", "APAC"]},
            "Attribute 'region', translation 'fr': the choices must differ from one another.",
        ),
        (
            {"label": "Région", "choices": ["EMEA", "Prefer not to say", "APAC"]},
            "Attribute 'region', translation 'fr': every question already offers “Prefer not "
            "to say”; it cannot be a choice too.",
        ),
    ],
)
def test_a_bad_translation_is_named_with_its_attribute_and_language(french, message):
    assert profile_attributes_problems(with_french(french), languages=LANGUAGES) == [message]


def test_a_translation_must_be_in_a_language_the_app_offers():
    entry = {**REGION, "translations": {"it": {"label": "Regione", "choices": ["a", "b", "c"]}}}
    assert profile_attributes_problems([entry], languages=LANGUAGES) == [
        "Attribute 'region', translation 'it': not a language this app offers (de, en, es, fr)."
    ]
    # Nothing is offered unless the caller says so.
    assert profile_attributes_problems([REGION]) == [
        "Attribute 'region', translation 'fr': not a language this app offers (none).",
        "Attribute 'region', translation 'de': not a language this app offers (none).",
    ]


def test_translations_must_be_an_object_and_keys_of_a_question_are_named():
    assert profile_attributes_problems(
        [{**REGION, "translations": ["fr"], "translation": {}}], languages=LANGUAGES
    ) == [
        "Attribute 1: unknown keys translation (a question has choices, label, name, "
        "translations).",
        "Attribute 'region': translations must be an object keyed by language code, e.g. "
        '{"fr": {"label": "Région", "choices": [...]}}.',
    ]


def test_translations_of_invalid_choices_are_checked_except_for_their_number():
    entry = {**REGION, "choices": ["EMEA"], "translations": {"fr": {"label": "", "choices": []}}}
    assert profile_attributes_problems([entry], languages=LANGUAGES) == [
        "Attribute 'region': give between 2 and 50 choices.",
        "Attribute 'region', translation 'fr': the label must be text of 1 to 100 characters.",
    ]


@pytest.mark.parametrize(
    ("language", "label", "shown"),
    [
        ("fr", "Région", ["EMEA", "Amériques", "APAC"]),
        ("fr-ca", "Région", ["EMEA", "Amériques", "APAC"]),  # the generic language's text
        ("de", "Region", ["EMEA", "Amerika", "APAC"]),
        ("es", "Region", ["EMEA", "Americas", "APAC"]),  # no translation: as typed
        ("en", "Region", ["EMEA", "Americas", "APAC"]),
        (None, "Region", ["EMEA", "Americas", "APAC"]),
    ],
)
def test_label_and_choices_are_shown_in_the_language_else_as_typed(language, label, shown):
    assert attribute_label(REGION, language) == label
    labels = attribute_choice_labels(REGION, language)
    assert list(labels) == REGION["choices"]  # keyed by the stored (declared) choice
    assert list(labels.values()) == shown


def test_a_stored_translation_that_does_not_fit_is_not_used():
    """A round saved before its translations were checked: wrong types or a different number
    of choices show the declared texts rather than a shifted or missing choice."""
    entry = {**REGION, "translations": {"fr": {"label": 3, "choices": ["EMEA", "Amériques"]}}}
    assert attribute_label(entry, "fr") == "Region"
    assert list(attribute_choice_labels(entry, "fr").values()) == REGION["choices"]
    assert attribute_label({**REGION, "translations": "Région"}, "fr") == "Region"


def test_attribute_choice_label_shows_a_value_outside_the_choices_as_it_is():
    assert attribute_choice_label(REGION, "Americas", "fr") == "Amériques"
    assert attribute_choice_label(REGION, "Mars", "fr") == "Mars"  # an imported value
    assert attribute_choice_label(REGION, "", "fr") == ""


def test_attribute_translations_missing_names_each_language_read_untranslated():
    site = {"name": "site", "label": "Site", "choices": ["North", "South"]}
    missing = attribute_translations_missing([site, REGION], languages=LANGUAGES, original="en")
    assert missing == {"site": ["fr", "de", "es"], "region": ["es"]}
    # Typed in French: English readers need a translation, French ones do not.
    assert attribute_translations_missing([REGION], languages=LANGUAGES, original="fr") == {
        "region": ["en", "es"]
    }
    assert attribute_translations_missing([REGION], languages=["en", "fr"], original="en") == {}
    assert attribute_translations_missing([], languages=LANGUAGES, original="en") == {}
