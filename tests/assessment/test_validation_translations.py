"""Tests of the ``translations`` key of instrument files (assessment.validation_translations):
every string in every language, known language codes, and labels the import can tell apart."""

from __future__ import annotations

import copy

import pytest
from django.conf.locale import LANG_INFO

from assessment.validation import InstrumentError, TranslationSpec, instrument_validate
from assessment.validation_translations import django_languages
from tests.assessment.test_validation import base

GERMAN = {
    "needs_review": True,
    "title": "Winzig",
    "scale_labels": ["Nein", "Eher nein", "Eher ja", "Ja"],
    "dont_know_label": "Weiß nicht",
    "meta_prompts": {
        "it": "Was würde die Sicherheit sagen?",
        "security": "Was würde die IT sagen?",
    },
    "dimensions": {
        "overall": {"name": "Gesamt", "description": "Alles in allem.", "guidance": "Lesen."},
        "d": {"name": "D", "description": "Über D.", "guidance": "Tun Sie dies."},
    },
    "items": {
        "ov1": "Es funktioniert.",
        "d1": "Die IT macht D.",
        "d2": "Die Sicherheit macht D.",
        "d3": "D scheitert.",
        "d_comment": "Noch etwas?",
    },
}


def translated(**languages: dict) -> dict:
    data = base()
    data["translations"] = copy.deepcopy(languages or {"de": GERMAN})
    return data


def refusals(data: dict) -> list[str]:
    with pytest.raises(InstrumentError) as excinfo:
        instrument_validate(data=data)
    return excinfo.value.errors


def test_django_languages_are_read_from_lang_info_without_importing_it():
    names, fallbacks = django_languages()

    assert set(names) | set(fallbacks) == set(LANG_INFO)
    assert names["de"] == LANG_INFO["de"]["name"] == "German"
    assert fallbacks["zh-cn"] == "zh-hans"


def test_a_complete_translation_is_kept_in_instrument_order():
    data = translated()
    # The file's order of codes does not matter: the spec follows the instrument.
    data["translations"]["de"]["items"] = dict(reversed(GERMAN["items"].items()))

    spec = instrument_validate(data=data)

    (german,) = spec.translations
    assert isinstance(german, TranslationSpec)
    assert (german.language, german.needs_review, german.title) == ("de", True, "Winzig")
    assert german.scale_labels == ("Nein", "Eher nein", "Eher ja", "Ja")
    assert german.dont_know_label == "Weiß nicht"
    assert dict(german.meta_prompts) == GERMAN["meta_prompts"]
    assert [code for code, _ in german.items] == ["ov1", "d1", "d2", "d3", "d_comment"]
    assert dict(german.dimensions)["d"].guidance == "Tun Sie dies."
    assert german.description == ""  # the base has no description


def test_translations_change_the_digest_but_not_the_untranslated_spec():
    plain = instrument_validate(data=base())
    spec = instrument_validate(data=translated())

    assert spec.sha256() != plain.sha256()
    assert spec.untranslated() == plain
    assert spec.untranslated().sha256() == plain.sha256()


def test_a_missing_item_text_names_the_language():
    data = translated()
    del data["translations"]["de"]["items"]["d1"]

    assert refusals(data) == ["translations.de.items.d1: missing (every item needs a German text)"]


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("title", "translations.de.title: missing (the title needs a German text)"),
        (
            "scale_labels",
            "translations.de.scale_labels: missing (every scale label needs a German text)",
        ),
        (
            "dont_know_label",
            'translations.de.dont_know_label: missing (the "don\'t know" answer needs a '
            "German text)",
        ),
        (
            "meta_prompts",
            "translations.de.meta_prompts: missing (every meta prompt needs a German text)",
        ),
        (
            "dimensions",
            "translations.de.dimensions: missing (every dimension's name, description and "
            "guidance need a German text)",
        ),
        ("items", "translations.de.items: missing (every item needs a German text)"),
        (
            "needs_review",
            "translations.de.needs_review: required key is missing: true until a native "
            "speaker has checked these texts, false once one has",
        ),
    ],
)
def test_each_missing_string_is_named(key, error):
    data = translated()
    del data["translations"]["de"][key]

    assert refusals(data) == [error]


def test_a_missing_dimension_text_and_meta_prompt_are_named():
    data = translated()
    del data["translations"]["de"]["dimensions"]["d"]["guidance"]
    del data["translations"]["de"]["dimensions"]["overall"]
    del data["translations"]["de"]["meta_prompts"]["security"]

    assert refusals(data) == [
        "translations.de.meta_prompts.security: missing (every meta prompt needs a German text)",
        "translations.de.dimensions.overall: missing (every dimension's name, description and "
        "guidance need a German text)",
        "translations.de.dimensions.d.guidance: missing (every dimension's guidance needs a "
        "German text)",
    ]


def test_an_empty_text_is_refused():
    data = translated()
    data["translations"]["de"]["items"]["d3"] = "  "

    assert refusals(data) == ["translations.de.items.d3: must not be empty"]


def test_an_article_fits_the_language_name():
    data = translated(it={**GERMAN})
    del data["translations"]["it"]["items"]["d1"]

    assert refusals(data) == [
        "translations.it.items.d1: missing (every item needs an Italian text)"
    ]


def test_unknown_item_and_dimension_codes_are_refused():
    data = translated()
    data["translations"]["de"]["items"]["zz9"] = "Unbekannt."
    data["translations"]["de"]["dimensions"]["nope"] = dict(GERMAN["dimensions"]["d"])

    assert refusals(data) == [
        "translations.de.dimensions.nope: unknown dimension code: the instrument has no "
        "dimension 'nope'",
        "translations.de.items.zz9: unknown item code: the instrument has no item 'zz9'",
    ]


def test_unknown_keys_are_refused():
    data = translated()
    data["translations"]["de"]["titel"] = "Winzig"
    data["translations"]["de"]["dimensions"]["d"]["summary"] = "Kurz."

    errors = refusals(data)

    assert errors[0].startswith("translations.de.titel: unknown key; allowed keys are ")
    assert errors[1] == (
        "translations.de.dimensions.d.summary: unknown key; allowed keys are name, description, "
        "guidance"
    )


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (
            "xx",
            "translations.xx: unknown language code; use one Django knows "
            "(django.conf.locale.LANG_INFO), such as 'fr', 'de', 'es' or 'pt-br'",
        ),
        ("de_DE", "translations.de_DE: unknown language code; Django knows 'de' (German)"),
        ("pt_BR", "translations.pt_BR: unknown language code; write it as Django does: 'pt-br'"),
        (
            "zh-cn",
            "translations.zh-cn: 'zh-cn' is an old code Django keeps for 'zh-hans': use 'zh-hans'",
        ),
        (
            "en",
            "translations.en: English is the instrument's own text (the keys outside "
            "translations); translations hold the other languages",
        ),
        (
            False,  # YAML 1.1 reads a bare `no:` (Norwegian) as false
            "translations.False: must be a language code as text, got a boolean; write it in "
            'quotes ("no")',
        ),
    ],
)
def test_unknown_language_codes_are_refused(code, error):
    data = translated()
    data["translations"][code] = data["translations"].pop("de")

    assert refusals(data) == [error]


def test_a_language_django_knows_is_accepted():
    data = translated()
    data["translations"]["pt-br"] = data["translations"].pop("de")

    assert instrument_validate(data=data).translations[0].language == "pt-br"


def test_translations_must_be_a_mapping():
    data = base()
    data["translations"] = ["de"]

    assert refusals(data) == [
        "translations: must be a mapping of language codes to texts, got a list"
    ]


def test_needs_review_must_be_a_boolean():
    data = translated()
    data["translations"]["de"]["needs_review"] = "yes"

    assert refusals(data) == ["translations.de.needs_review: must be true or false, got text"]


def test_scale_labels_must_count_the_points():
    data = translated()
    data["translations"]["de"]["scale_labels"] = ["Nein", "Eher nein", "Ja"]

    assert refusals(data) == [
        "translations.de.scale_labels: must have one label per scale point (4), got 3"
    ]


def test_scale_labels_must_differ():
    data = translated()
    data["translations"]["de"]["scale_labels"] = ["Nein", "nein", "Eher ja", "Ja"]

    assert refusals(data) == [
        "translations.de.scale_labels: labels must all be different (ignoring case and spacing)"
    ]


def test_meta_prompts_keys_are_those_of_the_base():
    data = translated()
    data["translations"]["de"]["meta_prompts"]["other"] = "Was würden andere sagen?"

    assert refusals(data) == [
        "translations.de.meta_prompts.other: unknown key; the instrument asks meta prompts "
        "for it, security"
    ]


def test_strings_the_base_does_not_have_are_refused():
    data = translated()
    del (
        data["dont_know_label"],
        data["meta_prompts"],
        data["dimensions"][1]["items"][0]["meta_perception"],
    )

    assert refusals(data) == [
        "translations.de.dont_know_label: the instrument has no dont_know_label, so there is "
        "nothing to translate",
        "translations.de.meta_prompts: the instrument has no meta_prompts, so there is nothing "
        "to translate",
    ]


def test_a_description_is_needed_when_the_base_has_one():
    data = translated()
    data["description"] = "A tiny questionnaire."

    assert refusals(data) == [
        "translations.de.description: missing (the description needs a German text)"
    ]


def test_the_translated_dont_know_label_differs_from_the_translated_scale():
    data = translated()
    data["translations"]["de"]["dont_know_label"] = " eher  JA "

    assert refusals(data) == [
        "translations.de.dont_know_label: must differ from every scale label of this language "
        "(it is kept apart from the scale), but matches 'Eher ja'"
    ]


def test_a_label_may_not_stand_for_two_answers_across_languages():
    # The import reads answers in any of the instrument's languages: "Yes" is point 4 in
    # English, so it cannot be point 1 in another language.
    data = translated()
    data["translations"]["de"]["scale_labels"] = ["Yes", "Eher nein", "Eher ja", "Ja"]
    data["translations"]["fr"] = {**copy.deepcopy(GERMAN), "dont_know_label": "Ja"}
    data["translations"]["fr"]["scale_labels"] = ["Non", "Plutôt non", "Plutôt oui", "Oui"]

    assert refusals(data) == [
        "translations.de.scale_labels[0]: 'Yes' is the label of point 4 in English ('Yes'); "
        "the import reads answers by label in every language, so one label cannot stand for "
        "two answers",
        "translations.fr.dont_know_label: 'Ja' is the label of point 4 in German ('Ja'); the "
        "import reads answers by label in every language, so one label cannot stand for two "
        "answers",
    ]


def test_the_same_label_for_the_same_point_in_two_languages_is_fine():
    data = translated()
    data["translations"]["de"]["scale_labels"] = ["No", "Eher nein", "Eher ja", "Yes"]

    assert instrument_validate(data=data).translations[0].scale_labels[3] == "Yes"
