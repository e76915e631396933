"""Imports read answers as labels in any of the instrument's languages (issue 17): a German
file, a file mixing languages, and "don't know" in each language."""

from __future__ import annotations

import pytest

from survey.importing import ImportSchema, table_parse
from survey.models import Answer
from survey.scale import DONT_KNOW
from survey.services.imports import responses_import
from survey.tables import Table
from tests.survey.import_files import csv_content

pytestmark = pytest.mark.django_db

GERMAN_LABELS = [
    "Stimme überhaupt nicht zu",
    "Stimme nicht zu",
    "Weder Zustimmung noch Ablehnung",
    "Stimme zu",
    "Stimme voll und ganz zu",
]
FRENCH_LABELS = [
    "Pas du tout d'accord",
    "Pas d'accord",
    "Ni d'accord ni pas d'accord",
    "D'accord",
    "Tout à fait d'accord",
]
HEADER = ["side", "function", "level", "overall", "a1", "a2", "a3", "a1__predicted_other"]


@pytest.fixture
def translated_round(v2_round):
    instrument = v2_round.instrument
    instrument.translations = {
        "de": {"scale_labels": GERMAN_LABELS, "dont_know_label": "Weiß nicht / keine Angabe"},
        "fr": {"scale_labels": FRENCH_LABELS, "dont_know_label": "Ne sait pas"},
    }
    instrument.save()
    return v2_round


def imported(survey_round, rows) -> dict[tuple[int, str], object]:
    report = responses_import(
        round=survey_round, file=csv_content([HEADER, *rows]), filename="answers.csv"
    )
    assert report.response_count == len(rows)
    return {
        (answer.response_id, answer.item.code): DONT_KNOW if answer.dont_know else answer.value
        for answer in Answer.objects.select_related("item")
    }


def values(answers: dict, column: str) -> list:
    return [value for (_, code), value in sorted(answers.items()) if code == column]


def test_a_german_labelled_file_is_read(translated_round):
    rows = [
        [
            "it",
            "infrastructure",
            "manager",
            "Stimme zu",
            "stimme VOLL und ganz zu",
            "Weiß nicht",
            "Stimme überhaupt nicht zu",
            "Stimme nicht zu",
        ],
        [
            "security",
            "governance",
            "individual",
            "Weder Zustimmung noch Ablehnung",
            "keine Angabe",
            "Weiss nicht",
            "Stimme zu",
            "Stimme zu",
        ],
    ]

    answers = imported(translated_round, rows)

    assert values(answers, "overall") == [4, 3]
    assert values(answers, "a1") == [5, DONT_KNOW]
    # "Weiss" is "Weiß" case-folded, as Swiss German writes it.
    assert values(answers, "a2") == [DONT_KNOW, DONT_KNOW]
    assert values(answers, "a3") == [1, 4]
    predicted = sorted(
        Answer.objects.filter(item__code="a1").values_list("predicted_other", flat=True)
    )
    assert predicted == [2, 4]


def test_a_file_may_mix_languages(translated_round):
    rows = [
        ["it", "infrastructure", "manager", "Agree", "D'accord", "Stimme zu", "4", ""],
        [
            "it",
            "infrastructure",
            "manager",
            "Tout à fait d'accord",
            "Don't know",
            "ne sait pas",
            "Strongly disagree",
            "",
        ],
        [
            "security",
            "governance",
            "individual",
            "Stimme nicht zu",
            "Pas d’accord",
            "Weiß nicht",
            "",
            "",
        ],
    ]

    answers = imported(translated_round, rows)

    assert values(answers, "overall") == [4, 5, 2]
    assert values(answers, "a1") == [4, DONT_KNOW, 2]
    assert values(answers, "a2") == [4, DONT_KNOW, DONT_KNOW]
    assert values(answers, "a3") == [4, 1]


def test_an_unknown_label_names_the_other_languages():
    schema = ImportSchema(
        items={"a1": "likert"},
        scale_labels=("No", "Rather no", "Rather yes", "Yes"),
        profile_choices={"side": {"it": "IT"}},
        dont_know_label="Don't know",
        translated_scale_labels=(("Nein", "Eher nein", "Eher ja", "Ja"),),
        translated_dont_know_labels=("Weiß nicht",),
    )
    table = Table(
        headers=["side", "a1"],
        rows=[(2, ["it", "Vielleicht"]), (3, ["it", "Eher ja"])],
        format="csv",
    )

    result = table_parse(table=table, schema=schema)

    assert [row.answers for row in result.rows] == [{}, {"a1": 3}]
    (problem,) = result.problems
    assert "'Vielleicht' is neither a number from 1 to 4 nor a scale label" in problem.message
    assert "or the same in another of the instrument's languages" in problem.message


def test_translated_dont_know_is_not_read_when_the_instrument_offers_none():
    schema = ImportSchema(
        items={"a1": "likert"},
        scale_labels=("No", "Rather no", "Rather yes", "Yes"),
        profile_choices={"side": {"it": "IT"}},
        translated_scale_labels=(("Nein", "Eher nein", "Eher ja", "Ja"),),
        translated_dont_know_labels=("Weiß nicht",),
    )
    table = Table(headers=["side", "a1"], rows=[(2, ["it", "Weiß nicht"])], format="csv")

    assert len(table_parse(table=table, schema=schema).problems) == 1
