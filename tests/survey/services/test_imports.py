"""Tests of the import service: responses_import, from a file to stored responses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from assessment.scoring import item_scores
from assessment.services import instrument_load
from reports.downloads import round_export
from survey.import_mapping import mapping_parse
from survey.import_messages import import_summary_lines
from survey.models import Answer, ImportBatch, Response
from survey.selectors import round_answers_frame, round_items_frame
from survey.services.imports import ImportDuplicateError, responses_import
from survey.services.responses import invitation_save_page, invitation_save_profile, response_submit
from survey.services.rounds import round_create
from survey.tables import ImportFileError
from survey.zones import round_today
from tests.survey.import_files import csv_content, xlsx_content

FILES = Path(__file__).parents[1] / "files"
HEADER = ["side", "function", "level", "a1", "a2", "a3", "a_comment", "b1", "b2", "b3"]


def stored(survey_round) -> list[dict]:
    """Every response of the round with its answers, by item code, in insertion order."""
    result = []
    for response in Response.objects.filter(round=survey_round).order_by("pk"):
        answers = {
            code: value if value is not None else text
            for code, value, text in Answer.objects.filter(response=response).values_list(
                "item__code", "value", "text"
            )
        }
        result.append(
            {
                "side": response.side,
                "function": response.function,
                "level": response.level,
                "answers": answers,
                "attributes": response.attributes,
            }
        )
    return result


# --- the import service ---------------------------------------------------------------------

with_db = pytest.mark.django_db


@with_db
def test_import_reads_a_semicolon_file(survey_round):
    content = b"side;function;level;a1;a2\nIT;identity;manager;4;5\nSecurity;;;2;\n"
    report = responses_import(round=survey_round, file=content, filename="semi.csv")
    assert report.response_count == 2
    assert stored(survey_round) == [
        {
            "side": "it",
            "function": "identity",
            "level": "manager",
            "answers": {"a1": 4, "a2": 5},
            "attributes": {},
        },
        {"side": "security", "function": "", "level": "", "answers": {"a1": 2}, "attributes": {}},
    ]


@with_db
def test_import_reads_a_file_with_a_byte_order_mark(survey_round):
    content = csv_content([["side", "a1"], ["it", "3"]], bom=True)
    responses_import(round=survey_round, file=content, filename="bom.csv")
    assert stored(survey_round)[0]["answers"] == {"a1": 3}


@with_db
def test_import_reads_a_windows_1252_comment(survey_round):
    content = csv_content([["side", "a_comment"], ["it", "Le café est bon"]], encoding="cp1252")
    responses_import(round=survey_round, file=content, filename="cp1252.csv")
    assert stored(survey_round)[0]["answers"] == {"a_comment": "Le café est bon"}


@with_db
def test_import_reads_a_quoted_comment_with_a_line_break(survey_round):
    content = b'side,a1,a_comment\nit,2,"Two lines:\r\nthe ""second"" one"\nsecurity,3,\n'
    responses_import(round=survey_round, file=content, filename="quoted.csv")
    first, second = stored(survey_round)
    assert first["answers"] == {"a1": 2, "a_comment": 'Two lines:\r\nthe "second" one'}
    assert second["answers"] == {"a1": 3}


@with_db
def test_import_reads_labels_ignoring_case_and_surrounding_spaces(survey_round):
    content = csv_content([["side", "a1", "a2"], ["it", " strongly AGREE ", "disagree"]])
    responses_import(round=survey_round, file=content, filename="labels.csv")
    assert stored(survey_round)[0]["answers"] == {"a1": 5, "a2": 2}


@with_db
@pytest.mark.parametrize("side", ["IT", "it", " It ", "SECURITY", "Security", "other", "OTHER"])
def test_import_reads_side_values_case_insensitively(survey_round, side):
    content = csv_content([["side", "a1"], [side, "3"]])
    responses_import(round=survey_round, file=content, filename="side.csv")
    assert stored(survey_round)[0]["side"] == side.strip().lower()


SEVEN_POINT = """
slug: seven
version: "1"
title: Seven points
scale:
  points: 7
  labels: [Strongly disagree, Disagree, Somewhat disagree, Neither, Somewhat agree, Agree,
           Strongly agree]
dimensions:
  - code: trust
    name: Trust
    description: Trust between the sides.
    guidance: Meet more often.
    items:
      - {code: t1, text: "We trust each other.", kind: likert, reverse_scored: false}
      - {code: t2, text: "We often blame each other.", kind: likert, reverse_scored: true}
      - {code: t_comment, text: "Anything else?", kind: text}
"""


@with_db
def test_import_into_a_seven_point_instrument_with_a_reverse_scored_item(tmp_path):
    path = tmp_path / "seven.yaml"
    path.write_text(SEVEN_POINT, encoding="utf-8")
    instrument = instrument_load(path=path).instrument
    survey_round = round_create(instrument=instrument, name="Seven", min_group_size=3)
    content = csv_content(
        [
            ["side", "t1", "t2"],
            ["it", "Strongly agree", "7"],
            ["it", "somewhat AGREE", " Strongly disagree "],
            ["security", "6", "Neither"],
        ]
    )
    responses_import(round=survey_round, file=content, filename="seven.csv")
    assert [row["answers"] for row in stored(survey_round)] == [
        {"t1": 7, "t2": 7},
        {"t1": 5, "t2": 1},
        {"t1": 6, "t2": 4},
    ]
    # Stored as asked; reverse coding on the 7-point scale happens in scoring: 8 - v.
    scored = item_scores(
        round_answers_frame(round=survey_round), round_items_frame(round=survey_round), 7
    )
    t2 = scored.loc[scored["item_code"] == "t2"].sort_values("response_id")
    assert list(t2["score"]) == [1, 7, 4]


@with_db
def test_import_refuses_eight_on_a_seven_point_scale(tmp_path):
    path = tmp_path / "seven.yaml"
    path.write_text(SEVEN_POINT, encoding="utf-8")
    survey_round = round_create(instrument=instrument_load(path=path).instrument, name="Seven")
    with pytest.raises(ImportFileError, match=r"line 2, column 't1': Value 8 .* 1 to 7"):
        responses_import(round=survey_round, file=b"side,t1\nit,8\n", filename="8.csv")


@with_db
def test_one_bad_row_among_a_hundred_imports_nothing_and_names_the_line(survey_round):
    rows = [["side", "a1", "a2"]] + [["it" if n % 2 else "security", "4", "2"] for n in range(100)]
    rows[58][2] = "9"  # data row 58 is on line 59 of the file
    content = csv_content(rows)
    with pytest.raises(ImportFileError) as caught:
        responses_import(round=survey_round, file=content, filename="hundred.csv")
    assert str(caught.value) == (
        "Nothing was imported: 1 problem in hundred.csv.\n"
        "- line 59, column 'a2': Value 9 for item 'a2' is not a whole number from 1 to 5."
    )
    assert not Response.objects.exists()
    assert not ImportBatch.objects.exists()


@with_db
def test_problems_beyond_fifty_are_counted_not_listed(survey_round):
    content = csv_content([["side", "a1"]] + [["it", "0"] for _ in range(60)])
    with pytest.raises(ImportFileError) as caught:
        responses_import(round=survey_round, file=content, filename="many.csv")
    message = str(caught.value)
    assert message.startswith("Nothing was imported: 60 problems in many.csv.")
    assert message.count("\n- line") == 50
    assert "line 51, column 'a1'" in message
    assert "line 52," not in message
    assert message.endswith("… and 10 more.")
    assert len(caught.value.problems) == 60


@with_db
def test_import_reads_an_xlsx_workbook(survey_round):
    content = xlsx_content(
        [
            ["side", "level", "a1", "a2", "a_comment", "submitted_on"],
            ["IT", "Manager", 4, "Agree", "fine", dt.datetime(2026, 3, 2, 10, 0)],  # noqa: DTZ001
            ["security", None, 1.0, None, 42, dt.date(2026, 3, 3)],
        ]
    )
    responses_import(round=survey_round, file=content, filename="tool.xlsx")
    first, second = stored(survey_round)
    assert first == {
        "side": "it",
        "function": "",
        "level": "manager",
        "answers": {"a1": 4, "a2": 4, "a_comment": "fine"},
        "attributes": {},
    }
    assert second["answers"] == {"a1": 1, "a_comment": "42"}
    dates = list(Response.objects.order_by("pk").values_list("submitted_on", flat=True))
    assert dates == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]


@with_db
def test_import_skips_surveymonkey_header_rows(survey_round):
    content = csv_content(
        [
            ["side", "a1", "a2"],
            ["Response", "Response", "Response"],
            ["IT", "5", "4"],
        ]
    )
    report = responses_import(round=survey_round, file=content, filename="sm.csv", header_rows=2)
    assert report.response_count == 1
    assert stored(survey_round)[0]["answers"] == {"a1": 5, "a2": 4}


@with_db
def test_import_skips_qualtrics_header_rows(survey_round):
    content = csv_content(
        [
            ["side", "a1", "a2"],
            ["Which side are you on?", "We plan together.", "We talk often."],
            ['{"ImportId":"QID1"}', '{"ImportId":"QID2_1"}', '{"ImportId":"QID2_2"}'],
            ["Security", "2", "1"],
        ]
    )
    responses_import(round=survey_round, file=content, filename="q.csv", header_rows=3)
    assert stored(survey_round)[0]["answers"] == {"a1": 2, "a2": 1}
    with pytest.raises(ImportFileError, match="line 2, column 'side': unknown side"):
        responses_import(round=survey_round, file=content, filename="q.csv", replace=True)


@with_db
def test_import_with_a_mapping_file(survey_round):
    mapping = mapping_parse(
        text=(FILES / "forms-mapping.yaml").read_text(encoding="utf-8"),
    )
    content = (FILES / "forms-export.csv").read_bytes()
    report = responses_import(
        round=survey_round, file=content, filename="forms-export.csv", mapping=mapping
    )
    assert report.response_count == 3
    assert report.attributes == ("region",)
    assert stored(survey_round) == [
        {
            "side": "it",
            "function": "identity",
            "level": "",
            "answers": {"a1": 5, "a2": 1, "a_comment": "Yes, please"},
            "attributes": {"region": "EMEA"},
        },
        {
            "side": "security",
            "function": "",
            "level": "manager",
            "answers": {"a1": 3, "a2": 4},
            "attributes": {"region": "Americas"},
        },
        {
            "side": "other",
            "function": "",
            "level": "",
            "answers": {"a1": 2},
            "attributes": {},
        },
    ]
    assert any("1 column ignored: 'Timestamp'" in warning for warning in report.warnings)


@with_db
@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("values:\n  likert:\n    Totally: 6\n", r"values.likert.'totally': 6 is not a point"),
        ("values:\n  a1:\n    Top: high\n", r"values.a1.'top': 'high' is not a point"),
        ("values:\n  side:\n    Tech: tech\n", r"values.side.'tech': 'tech' is not a side"),
        ("values:\n  team:\n    A: b\n", "values.team names no item"),
    ],
)
def test_mapping_values_are_checked_against_the_round(survey_round, yaml_text, message):
    with pytest.raises(ImportFileError, match=message):
        responses_import(
            round=survey_round,
            file=b"side,a1\nit,3\n",
            filename="x.csv",
            mapping=mapping_parse(text=yaml_text),
        )


@with_db
def test_mapping_to_an_unknown_target_is_a_problem(survey_round):
    mapping = mapping_parse(text="columns:\n  Question 1: zz9\n")
    with pytest.raises(ImportFileError, match="maps this column to 'zz9'"):
        responses_import(
            round=survey_round, file=b"side,Question 1\nit,3\n", filename="x.csv", mapping=mapping
        )


@with_db
def test_extra_attribute_columns_are_kept_when_declared(survey_round):
    content = b"side,region,a1\nit,North,3\nsecurity,,2\n"
    responses_import(round=survey_round, file=content, filename="r.csv", attributes=["region"])
    assert [row["attributes"] for row in stored(survey_round)] == [{"region": "North"}, {}]


@with_db
def test_undeclared_columns_are_ignored_or_refused_when_strict(survey_round):
    content = b"side,region,a1\nit,North,3\n"
    with pytest.raises(ImportFileError, match="1 column maps to nothing: 'region'"):
        responses_import(round=survey_round, file=content, filename="s.csv", strict=True)
    report = responses_import(round=survey_round, file=content, filename="s.csv")
    assert report.warnings == ["1 column ignored: 'region'"]
    assert stored(survey_round)[0]["attributes"] == {}


@with_db
def test_a_file_without_a_side_column_is_refused(survey_round):
    with pytest.raises(ImportFileError, match="no column gives the side"):
        responses_import(round=survey_round, file=b"team,a1\nit,3\n", filename="x.csv")


@with_db
def test_two_columns_for_one_item_are_refused(survey_round):
    mapping = mapping_parse(text="columns:\n  Q1: a1\n")
    with pytest.raises(ImportFileError, match="column 'Q1': feeds 'a1', as column 'a1'"):
        responses_import(
            round=survey_round, file=b"side,a1,Q1\nit,3,4\n", filename="x.csv", mapping=mapping
        )


@with_db
def test_submitted_on_comes_from_its_column_else_the_import_day(survey_round):
    content = b"side,a1,submitted_on\nit,3,2026-02-01\nit,3,\nit,3,2026-02-03T23:30:00-05:00\n"
    responses_import(round=survey_round, file=content, filename="d.csv")
    dates = list(Response.objects.order_by("pk").values_list("submitted_on", flat=True))
    # The round is in Europe/London: 23:30 at UTC-5 is 04:30 the next day there.
    assert dates == [dt.date(2026, 2, 1), round_today(survey_round), dt.date(2026, 2, 4)]


@with_db
def test_submitted_on_in_the_future_or_unreadable_is_a_problem(survey_round):
    content = b"side,a1,submitted_on\nit,3,2999-01-01\nit,3,01/02/2026\n"
    with pytest.raises(ImportFileError) as caught:
        responses_import(round=survey_round, file=content, filename="d.csv")
    assert [problem.line for problem in caught.value.problems] == [2, 3]
    assert "is in the future" in str(caught.value)
    assert "date_format" in str(caught.value)


@with_db
def test_submitted_on_follows_the_mappings_date_format(survey_round):
    mapping = mapping_parse(
        text='columns:\n  End Date: submitted_on\ndate_format: "%m/%d/%Y %I:%M:%S %p"\n'
    )
    content = b"side,a1,End Date\nit,3,03/31/2026 11:59:00 PM\n"
    responses_import(round=survey_round, file=content, filename="sm.csv", mapping=mapping)
    assert Response.objects.get().submitted_on == dt.date(2026, 3, 31)


@with_db
def test_columns_mapped_to_ignore_pass_strict_mode(survey_round):
    mapping = mapping_parse(text="columns:\n  Respondent ID: ignore\n  Email: ~\n")
    content = b"Respondent ID,Email,side,a1\n17,x@example.org,it,3\n"
    report = responses_import(
        round=survey_round, file=content, filename="ids.csv", mapping=mapping, strict=True
    )
    assert report.response_count == 1
    assert report.warnings == []


@with_db
def test_a_comment_that_is_too_long_is_a_problem(survey_round):
    content = csv_content([["side", "a_comment"], ["it", "x" * 2001]])
    with pytest.raises(ImportFileError, match="line 2, column 'a_comment': The comment"):
        responses_import(round=survey_round, file=content, filename="long.csv")


@with_db
def test_reimporting_the_same_file_is_refused(survey_round):
    content = b"side,a1\nit,3\n"
    responses_import(round=survey_round, file=content, filename="once.csv")
    with pytest.raises(ImportDuplicateError, match="already imported into this round"):
        responses_import(round=survey_round, file=content, filename="renamed.csv")
    assert Response.objects.count() == 1


@with_db
def test_the_same_file_may_go_into_another_round(survey_round, small_instrument):
    other = round_create(instrument=small_instrument, name="Other")
    content = b"side,a1\nit,3\n"
    responses_import(round=survey_round, file=content, filename="f.csv")
    responses_import(round=other, file=content, filename="f.csv")
    assert Response.objects.filter(round=other).count() == 1


@with_db
def test_replace_swaps_the_earlier_import(survey_round, token_and_invitation):
    _token, invitation = token_and_invitation
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    collected = response_submit(invitation=invitation)
    content = b"side,a1\nit,3\nsecurity,4\n"
    first = responses_import(round=survey_round, file=content, filename="wave.csv")
    report = responses_import(round=survey_round, file=content, filename="wave.csv", replace=True)
    assert report.replaced_count == 2
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [report.batch.pk]
    assert not ImportBatch.objects.filter(pk=first.batch.pk).exists()
    assert Response.objects.filter(round=survey_round).count() == 3
    assert Response.objects.filter(pk=collected.pk).exists()  # collected ones stay
    # A corrected file under the same name replaces it too.
    corrected = b"side,a1\nit,5\n"
    responses_import(round=survey_round, file=corrected, filename="wave.csv", replace=True)
    assert sorted(
        Response.objects.filter(source="imported").values_list("answers__value", flat=True)
    ) == [5]


@with_db
def test_a_second_file_with_the_same_name_is_added_with_a_warning(survey_round):
    responses_import(round=survey_round, file=b"side,a1\nit,3\n", filename="wave.csv")
    report = responses_import(round=survey_round, file=b"side,a1\nit,4\n", filename="wave.csv")
    assert any("adds to it" in warning for warning in report.warnings)
    assert Response.objects.count() == 2


@with_db
def test_dry_run_reports_and_writes_nothing(survey_round):
    content = b"side,a1,a2\nit,3,4\nsecurity,2,\nit,,\n"
    report = responses_import(round=survey_round, file=content, filename="dry.csv", dry_run=True)
    assert report.dry_run
    assert report.batch is None
    assert (report.response_count, report.answer_count) == (3, 3)
    assert report.side_counts == {"it": 2, "security": 1}
    assert import_summary_lines(report)[0] == (
        "Dry run: would import 3 responses (3 answers) from dry.csv into round spring; "
        "nothing was written."
    )
    assert not Response.objects.exists()
    assert not ImportBatch.objects.exists()
    # ... and a dry run does not count as an import of the file.
    responses_import(round=survey_round, file=content, filename="dry.csv")
    assert Response.objects.count() == 3


@with_db
def test_imported_responses_are_marked_and_linked_to_their_batch(survey_round):
    report = responses_import(round=survey_round, file=b"side,a1\nit,3\n", filename="m.csv")
    batch = report.batch
    assert (batch.round, batch.filename, batch.response_count) == (survey_round, "m.csv", 1)
    assert len(batch.sha256) == 64
    assert batch.imported_at.tzinfo is not None
    response = Response.objects.get()
    assert (response.source, response.import_batch) == ("imported", batch)


@with_db
def test_imported_responses_are_analysed_like_collected_ones(survey_round, issue):
    _token, invitation = issue()
    invitation_save_profile(invitation=invitation, side="it", function="", level="")
    invitation_save_page(invitation=invitation, answers={"a1": 4})
    response_submit(invitation=invitation)
    responses_import(round=survey_round, file=b"side,a1\nit,4\n", filename="same.csv")
    frame = round_answers_frame(round=survey_round)
    assert list(frame["value"]) == [4, 4]
    assert list(frame["side"].astype(str)) == ["it", "it"]


@with_db
def test_import_uses_a_fixed_number_of_queries(survey_round, django_assert_max_num_queries):
    content = csv_content([HEADER] + [["it", "", "", "1", "2", "3", "c", "4", "5", "1"]] * 300)
    # Bulk inserts: a handful of queries plus one per batch (SQLite batches by parameters),
    # far fewer than one per response.
    with django_assert_max_num_queries(25):
        responses_import(round=survey_round, file=content, filename="big.csv")
    assert Answer.objects.count() == 300 * 7


@with_db
def test_responses_exported_after_an_import_give_back_the_same_answers(survey_round):
    # Four rows: with k = 3 they form one blank-profile group the export may carry.
    survey_round.min_group_size = 3
    survey_round.save()
    rows = [
        HEADER,
        ["it", "identity", "manager", "1", "2", "3", "Plain", "4", "5", ""],
        ["security", "", "individual", "5", "", "1", 'He said "no",\nthen left', "", "2", "3"],
        ["other", "governance", "", "", "", "", "=SUM(A1)", "1", "1", "1"],
        ["it", "", "", "Strongly agree", "agree", "3", "", "", "", ""],
    ]
    responses_import(round=survey_round, file=csv_content(rows), filename="in.csv")
    exported = b"".join(round_export(round=survey_round, kind="responses"))
    reader = csv.DictReader(io.StringIO(exported.decode("utf-8-sig"), newline=""))
    # The export is anonymised (issue 4): Likert answers only, no comments, and profiles
    # shared by fewer than k rows blanked; the answers themselves come back unchanged.
    codes = [code for code in HEADER[3:] if "comment" not in code]
    got_rows = list(reader)
    assert "a_comment" not in reader.fieldnames
    assert {(row["side"], row["function"], row["level"]) for row in got_rows} == {("", "", "")}
    got = sorted(tuple(row[code] for code in codes) for row in got_rows)
    labels = {"strongly agree": "5", "agree": "4"}
    expected = sorted(
        tuple(
            labels.get(value.lower(), value)
            for code, value in zip(HEADER[3:], row[3:], strict=True)
            if "comment" not in code
        )
        for row in rows[1:]
    )
    assert got == expected
