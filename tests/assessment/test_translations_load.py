"""Tests of translations in the database: instrument_load stores them (in place even on an
answered version, when nothing else changed) and the models read them per language."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment.models import Dimension, Instrument, Item
from assessment.services import InstrumentError, instrument_load
from tests.assessment.instrument_files import snapshot, tiny_data, write
from tests.factories import AnswerFactory, ResponseFactory, SurveyRoundFactory

WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
FRENCH = {
    "needs_review": True,
    "title": "Petit instrument",
    "description": "Pour les tests.",
    "scale_labels": [
        "Pas du tout d'accord",
        "Pas d'accord",
        "Ni d'accord ni pas d'accord",
        "D'accord",
        "Tout à fait d'accord",
    ],
    "dimensions": {
        "d1": {"name": "Dimension un", "description": "Sur un.", "guidance": "Faire une chose."},
        "d2": {"name": "Dimension deux", "description": "Sur deux.", "guidance": "Faire deux."},
    },
    "items": {
        "a1": "L'informatique fait A.",
        "a2": "La sécurité fait A.",
        "a3": "A se passe mal.",
        "a_comment": "Autre chose à ajouter ?",
        "b1": "B fonctionne.",
        "b2": "B échoue.",
    },
}


def french_data(**changes: str) -> dict:
    data = tiny_data()
    data["translations"] = {"fr": {**FRENCH, "items": {**FRENCH["items"], **changes}}}
    return data


def answered(instrument: Instrument) -> None:
    AnswerFactory(
        response=ResponseFactory(round=SurveyRoundFactory(instrument=instrument)),
        item=Item.objects.get(code="a1"),
    )


@pytest.mark.django_db
def test_translations_are_stored_on_instrument_dimensions_and_items(tmp_path):
    instrument = instrument_load(path=write(tmp_path, french_data())).instrument

    assert instrument.translations["fr"]["title"] == "Petit instrument"
    assert instrument.translations["fr"]["needs_review"] is True
    assert instrument.translations["fr"]["scale_labels"][3] == "D'accord"
    assert Dimension.objects.get(code="d2").translations == {
        "fr": {"name": "Dimension deux", "description": "Sur deux.", "guidance": "Faire deux."}
    }
    assert Item.objects.get(code="a3").translations == {"fr": {"text": "A se passe mal."}}
    assert Item.objects.get(code="a3").text == "A goes wrong."


@pytest.mark.django_db
def test_reloading_a_translated_file_writes_nothing(tmp_path):
    path = write(tmp_path, french_data())
    instrument_load(path=path)

    with CaptureQueriesContext(connection) as queries:
        result = instrument_load(path=path)

    assert (result.created, result.changed) == (False, False)
    assert not [q["sql"] for q in queries.captured_queries if WRITE_SQL.match(q["sql"])]


@pytest.mark.django_db
def test_a_translation_change_on_an_answered_version_is_written_in_place(tmp_path):
    instrument = instrument_load(path=write(tmp_path, french_data())).instrument
    answered(instrument)
    before = snapshot(instrument)

    data = french_data(a1="Les équipes informatiques font A.")
    data["translations"]["de"] = {
        **FRENCH,
        "title": "Kleines Instrument",
        "description": "Für Tests.",
        "scale_labels": [
            "Stimme überhaupt nicht zu",
            "Stimme nicht zu",
            "Weder noch",
            "Stimme zu",
            "Stimme voll und ganz zu",
        ],
    }
    result = instrument_load(path=write(tmp_path, data))

    assert (result.changed, result.translations_only) == (True, True)
    assert snapshot(instrument) == before  # ids, English texts, structure: untouched
    instrument.refresh_from_db()
    assert instrument.languages == ["en", "de", "fr"]
    assert Item.objects.get(code="a1").translations["fr"]["text"] == (
        "Les équipes informatiques font A."
    )
    assert instrument.source_sha256 == result.instrument.source_sha256
    assert instrument_load(path=write(tmp_path, data)).changed is False


@pytest.mark.django_db
def test_a_language_can_be_removed_from_an_answered_version(tmp_path):
    instrument = instrument_load(path=write(tmp_path, french_data())).instrument
    answered(instrument)

    result = instrument_load(path=write(tmp_path, tiny_data()))

    assert result.translations_only is True
    assert Item.objects.get(code="a1").translations == {}
    instrument.refresh_from_db()
    assert instrument.translations == {}


@pytest.mark.django_db
def test_an_english_change_beside_a_translation_change_is_still_refused(tmp_path):
    instrument = instrument_load(path=write(tmp_path, french_data())).instrument
    answered(instrument)
    data = french_data(a1="Les équipes informatiques font A.")
    data["dimensions"][0]["items"][0]["text"] = "IT does A, reworded."

    with pytest.raises(InstrumentError, match="cannot be changed except for its translations"):
        instrument_load(path=write(tmp_path, data))

    assert Item.objects.get(code="a1").translations["fr"]["text"] == "L'informatique fait A."


@pytest.mark.django_db
def test_an_unanswered_version_updates_english_and_translations_together(tmp_path):
    instrument_load(path=write(tmp_path, french_data()))
    data = french_data(b1="B marche bien.")
    data["dimensions"][1]["items"][0]["text"] = "B works well."

    result = instrument_load(path=write(tmp_path, data))

    assert (result.changed, result.translations_only) == (True, False)
    b1 = Item.objects.get(code="b1")
    assert (b1.text, b1.translations["fr"]["text"]) == ("B works well.", "B marche bien.")


@pytest.mark.django_db
def test_command_reports_a_translations_update(tmp_path):
    instrument = instrument_load(path=write(tmp_path, tiny_data())).instrument
    answered(instrument)
    out = StringIO()

    call_command("load_instrument", str(write(tmp_path, french_data())), stdout=out)

    assert out.getvalue().strip() == "Updated the translations of instrument tiny version 1 (fr)."


# ---- reading in a language ------------------------------------------------------------------


@pytest.fixture
def instrument(tmp_path) -> Instrument:
    data = french_data()
    data["dont_know_label"] = "Don't know"
    data["meta_prompts"] = {"it": "Security would say?", "security": "IT would say?"}
    data["translations"]["fr"]["dont_know_label"] = "Ne sait pas"
    data["translations"]["fr"]["meta_prompts"] = {
        "it": "La sécurité dirait ?",
        "security": "L'informatique dirait ?",
    }
    return instrument_load(path=write(tmp_path, data)).instrument


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "fr-ca", "FR_ca"])
def test_texts_read_in_french_and_its_regional_variants(instrument, language):
    item = Item.objects.get(code="b2")
    dimension = Dimension.objects.get(code="d1")

    assert item.text_in(language) == "B échoue."
    assert dimension.name_in(language) == "Dimension un"
    assert dimension.description_in(language) == "Sur un."
    assert dimension.guidance_in(language) == "Faire une chose."
    assert instrument.title_in(language) == "Petit instrument"
    assert instrument.description_in(language) == "Pour les tests."
    assert instrument.scale_labels_in(language)[0] == "Pas du tout d'accord"
    assert instrument.dont_know_label_in(language) == "Ne sait pas"
    assert instrument.meta_prompts_in(language)["it"] == "La sécurité dirait ?"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "it", "", None])
def test_a_language_without_texts_falls_back_to_english(instrument, language):
    with translation.override("en"):
        assert Item.objects.get(code="b2").text_in(language) == "B fails."
        assert Dimension.objects.get(code="d1").name_in(language) == "Dimension one"
        assert instrument.title_in(language) == "Tiny instrument"
        assert instrument.scale_labels_in(language) == list(instrument.scale_labels)
        assert instrument.dont_know_label_in(language) == "Don't know"
        assert instrument.meta_prompts_in(language) == instrument.meta_prompts


@pytest.mark.django_db
def test_the_active_language_is_the_default(instrument):
    item = Item.objects.get(code="b1")

    with translation.override("fr"):
        assert item.text_in() == "B fonctionne."
    with translation.override("de"):
        assert item.text_in() == "B works."


@pytest.mark.django_db
def test_needs_review_is_read_per_language(instrument):
    assert instrument.needs_review("fr") is True
    assert instrument.needs_review("en") is False
    instrument.translations["fr"]["needs_review"] = False
    assert instrument.needs_review("fr") is False
