"""Issue 5: responses imported from a file and exported again give back the same answers
and attributes, and our own responses.csv imports back."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from reports.downloads import round_export
from survey.models import Response
from survey.services.imports import responses_import
from tests.factories import SurveyRoundFactory

pytestmark = pytest.mark.django_db

LIKERT = ["a1", "a2", "a3", "b1", "b2", "b3"]
# Three rows per profile and region (k = 3): nothing needs blanking.
ROWS = [
    ["it", "identity", "manager", "EMEA", "5", "4", "1", "4", "", "2", "A comment"],
    ["it", "identity", "manager", "EMEA", "4", "4", "2", "3", "3", "2", ""],
    ["it", "identity", "manager", "EMEA", "3", "", "1", "4", "4", "5", ""],
    ["security", "governance", "", "=Americas", "2", "2", "4", "4", "3", "2", "=cmd()"],
    ["security", "governance", "", "=Americas", "1", "2", "5", "", "", "", ""],
    ["security", "governance", "", "=Americas", "2", "3", "4", "4", "3", "1", ""],
]
HEADER = ["side", "function", "level", "region", *LIKERT, "a_comment"]


def csv_content(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def stored(survey_round) -> Counter:
    """The round's responses as a multiset of (profile, region, Likert answers)."""
    return Counter(
        (
            response.side,
            response.function,
            response.level,
            response.attributes.get("region", ""),
            tuple(sorted(answers.items())),
        )
        for response in Response.objects.filter(round=survey_round).prefetch_related(
            "answers__item"
        )
        for answers in [
            {a.item.code: a.value for a in response.answers.all() if a.value is not None}
        ]
    )


def test_an_imported_file_exported_and_imported_again_gives_the_same_answers(small_instrument):
    first = SurveyRoundFactory(instrument=small_instrument, slug="first", min_group_size=3)
    responses_import(
        round=first,
        file=csv_content([HEADER, *ROWS]),
        filename="tool.csv",
        attributes=["region"],
    )
    exported = b"".join(round_export(round=first, kind="responses"))
    header = exported.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:6] == ["row", "side", "function", "level", "region", "submitted_month"]
    assert "a_comment" not in header

    second = SurveyRoundFactory(instrument=small_instrument, slug="second", min_group_size=3)
    report = responses_import(
        round=second, file=exported, filename="first-responses.csv", attributes=["region"]
    )
    assert report.response_count == len(ROWS)
    # The row number and the month feed nothing; they are reported, not refused.
    assert any("row" in warning and "submitted_month" in warning for warning in report.warnings)
    assert stored(second) == stored(first)
    # The formula-like region went out protected and came back as it was imported.
    assert {r.attributes["region"] for r in Response.objects.filter(round=second)} == {
        "EMEA",
        "=Americas",
    }
    # Comments are never exported, so only the Likert answers come back.
    assert not Response.objects.filter(round=second, answers__item__kind="text").exists()
