"""The shipped instrument files in French, German and Spanish (issue 17): complete, marked
for review, translated rather than copied, consistent between versions, and stored by the
loader."""

from __future__ import annotations

import pytest

from assessment.models import Dimension, Item
from assessment.services import DEFAULT_INSTRUMENT_PATH, V1_INSTRUMENT_PATH, instrument_load
from assessment.validation import instrument_file_parse

LANGUAGES = ["de", "es", "fr"]
SCALES = {
    "fr": [
        "Pas du tout d'accord",
        "Pas d'accord",
        "Ni d'accord ni pas d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ],
    "de": [
        "Stimme überhaupt nicht zu",
        "Stimme nicht zu",
        "Weder Zustimmung noch Ablehnung",
        "Stimme zu",
        "Stimme voll und ganz zu",
    ],
    "es": [
        "Totalmente en desacuerdo",
        "En desacuerdo",
        "Ni de acuerdo ni en desacuerdo",
        "De acuerdo",
        "Totalmente de acuerdo",
    ],
}
# Names that read the same in English and in the translation.
SAME_AS_ENGLISH: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def specs():
    return {
        "v2": instrument_file_parse(path=DEFAULT_INSTRUMENT_PATH),
        "v1": instrument_file_parse(path=V1_INSTRUMENT_PATH),
    }


def strings(spec):
    """Every translatable string of the base: {key: English text}."""
    found = {"title": spec.title, "description": spec.description}
    found |= {f"scale_labels[{i}]": label for i, label in enumerate(spec.scale_labels)}
    if spec.dont_know_label:
        found["dont_know_label"] = spec.dont_know_label
    found |= {f"meta_prompts.{side}": text for side, text in spec.meta_prompts}
    for d in spec.dimensions:
        found |= {
            f"dimensions.{d.code}.name": d.name,
            f"dimensions.{d.code}.description": d.description,
            f"dimensions.{d.code}.guidance": d.guidance,
        }
        found |= {f"items.{i.code}": i.text for i in d.items}
    return found


def translated_strings(translation):
    found = {"title": translation.title, "description": translation.description}
    found |= {f"scale_labels[{i}]": label for i, label in enumerate(translation.scale_labels)}
    if translation.dont_know_label:
        found["dont_know_label"] = translation.dont_know_label
    found |= {f"meta_prompts.{side}": text for side, text in translation.meta_prompts}
    for code, texts in translation.dimensions:
        found |= {
            f"dimensions.{code}.name": texts.name,
            f"dimensions.{code}.description": texts.description,
            f"dimensions.{code}.guidance": texts.guidance,
        }
    found |= {f"items.{code}": text for code, text in translation.items}
    return found


@pytest.mark.parametrize(("version", "count"), [("v2", 121), ("v1", 73)])
def test_every_string_is_in_french_german_and_spanish_marked_for_review(specs, version, count):
    spec = specs[version]
    english = strings(spec)

    assert len(english) == count
    assert [t.language for t in spec.translations] == LANGUAGES
    for translation in spec.translations:
        assert translation.needs_review is True
        texts = translated_strings(translation)
        assert texts.keys() == english.keys()
        assert all(texts.values())
        copied = {
            key
            for key, text in texts.items()
            if text == english[key] and (translation.language, key) not in SAME_AS_ENGLISH
        }
        assert not copied, f"{translation.language}: left in English: {sorted(copied)}"


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_no_two_languages_share_a_text(specs, version):
    by_language = {t.language: translated_strings(t) for t in specs[version].translations}
    for key in by_language["fr"]:
        texts = [by_language[language][key] for language in LANGUAGES]
        assert len(set(texts)) == len(texts), key


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_scales_read_as_the_usual_agreement_scale_of_each_language(specs, version):
    for translation in specs[version].translations:
        assert list(translation.scale_labels) == SCALES[translation.language]


def test_v2_dont_know_and_prompts_in_each_language(specs):
    dont_know = {t.language: t.dont_know_label for t in specs["v2"].translations}
    assert dont_know == {
        "fr": "Je ne sais pas / sans objet",
        "de": "Weiß nicht / nicht zutreffend",
        "es": "No sé / no aplica",
    }


def test_terms_of_each_language_are_used(specs):
    by_language = {t.language: translated_strings(t) for t in specs["v2"].translations}
    guidance = "dimensions.decision_rights.guidance"
    assert "RSSI" in by_language["fr"][guidance]
    assert "DSI" in by_language["fr"][guidance]
    assert "CISO" not in " ".join(by_language["fr"].values())
    assert "Informationssicherheit" in by_language["de"]["items.sc4"]
    assert "CISO" in by_language["de"][guidance]
    assert "control de seguridad" in by_language["es"]["items.sc5"]
    assert "TI" in by_language["es"]["items.sc4"].split()


def test_v1_shares_v2_s_translation_wherever_the_english_is_the_same(specs):
    v2_english = strings(specs["v2"])
    v1_english = strings(specs["v1"])
    shared = {
        key
        for key in v1_english
        if key.startswith("items.") and v2_english.get(key) == v1_english[key]
    }
    assert len(shared) == 31
    v2 = {t.language: translated_strings(t) for t in specs["v2"].translations}
    for translation in specs["v1"].translations:
        texts = translated_strings(translation)
        assert {key: texts[key] for key in shared} == {
            key: v2[translation.language][key] for key in shared
        }


@pytest.mark.django_db
def test_the_default_instrument_loads_with_its_translations():
    instrument = instrument_load().instrument

    assert instrument.languages == ["en", "de", "es", "fr"]
    assert instrument.scale_labels_in("de") == SCALES["de"]
    assert instrument.title_in("es") == "Evaluación de la colaboración entre TI y seguridad"
    ei3 = Item.objects.get(dimension__instrument=instrument, code="ei3")
    assert ei3.text_in("fr") == (
        "Les exigences de sécurité sont connues avant que les principales décisions de "
        "conception soient prises."
    )
    ai = Dimension.objects.get(instrument=instrument, code="ai_governance")
    assert ai.name_in("de-at") == "KI-Governance"
