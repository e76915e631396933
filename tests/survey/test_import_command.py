"""Tests of the import_responses management command."""

from __future__ import annotations

import codecs
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from survey.models import ImportBatch, Response

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_responses", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "wave1.csv"
    path.write_bytes(b'side;a1;a2;a_comment\nIT;4;agree;\nsecurity;1;;"caf\xe9"\n')
    return path


def test_import_responses_imports_and_reports(survey_round, csv_file):
    output = run("spring", str(csv_file))
    assert output.splitlines() == [
        "Imported 2 responses (4 answers) from wave1.csv into round spring.",
        "Per side: IT 1, Security 1.",
    ]
    assert Response.objects.filter(source="imported").count() == 2
    assert Response.objects.get(side="security").answers.get(item__code="a_comment").text == (
        "café"
    )


def test_import_responses_dry_run_writes_nothing_and_shows_the_columns(survey_round, csv_file):
    output = run("spring", str(csv_file), "--dry-run")
    assert output.startswith("Dry run: would import 2 responses (4 answers) from wave1.csv")
    assert "  'a2' -> item a2" in output
    assert not Response.objects.exists()
    assert not ImportBatch.objects.exists()


def test_import_responses_refuses_the_same_file_twice_unless_replace(survey_round, csv_file):
    run("spring", str(csv_file))
    with pytest.raises(CommandError, match="already imported into this round"):
        run("spring", str(csv_file))
    output = run("spring", str(csv_file), "--replace")
    assert "Replaced 2 responses of the earlier import." in output
    assert Response.objects.count() == 2
    assert ImportBatch.objects.count() == 1


def test_import_responses_names_each_bad_line_and_writes_nothing(survey_round, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("side,a1\nit,3\nit,6\nnobody,2\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("spring", str(path))
    assert str(caught.value).splitlines() == [
        "Nothing was imported: 2 problems in bad.csv.",
        "- line 3, column 'a1': Value 6 for item 'a1' is not a whole number from 1 to 5.",
        "- line 4, column 'side': unknown side 'nobody': expected one of IT, Security, Other "
        "(or map it in the mapping file's values.side)",
    ]
    assert not Response.objects.exists()


def test_import_responses_with_a_mapping_file(survey_round):
    output = run(
        "spring",
        str(FILES / "forms-export.csv"),
        "--mapping",
        str(FILES / "forms-mapping.yaml"),
    )
    assert "Imported 3 responses" in output
    assert "1 column ignored: 'Timestamp'" in output
    assert Response.objects.get(side="it").attributes == {"region": "EMEA"}


def test_import_responses_reads_header_rows_encoding_and_attributes(survey_round, tmp_path):
    path = tmp_path / "sm.csv"
    path.write_bytes(b"side,region,a1\nResponse,Response,Response\nIT,Nord,5\n")
    run("spring", str(path), "--header-rows", "2", "--encoding", "cp1252", "--attribute", "region")
    assert Response.objects.get().attributes == {"region": "Nord"}


def test_import_responses_strict_refuses_unmapped_columns(survey_round, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("side,a1,Respondent ID\nit,3,17\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 column maps to nothing: 'Respondent ID'"):
        run("spring", str(path), "--strict")
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "x.csv"], "Unknown round 'nope'"),
        (["spring", "/nonexistent/x.csv"], "does not exist"),
        (["spring", "{tmp}"], "is a directory"),
        (["spring", "{file}", "--mapping", "/nonexistent/m.yaml"], "mapping file .* does not"),
        (["spring", "{file}", "--header-rows", "0"], "--header-rows must be from 1 to 10"),
        (["spring", "{empty}"], "The file is empty"),
    ],
)
def test_import_responses_errors_are_command_errors(survey_round, tmp_path, args, message):
    (tmp_path / "ok.csv").write_text("side,a1\nit,3\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    values = {"tmp": str(tmp_path), "file": str(tmp_path / "ok.csv")}
    values["empty"] = str(tmp_path / "empty.csv")
    with pytest.raises(CommandError, match=message):
        run(*(arg.format(**values) for arg in args))
    assert not Response.objects.exists()


def test_import_responses_refuses_a_deep_mapping_file_without_a_traceback(
    survey_round, csv_file, tmp_path
):
    mapping = tmp_path / "deep.yaml"
    mapping.write_text("columns: " + "[" * 3000 + "]" * 3000, encoding="utf-8")
    with pytest.raises(CommandError, match="is not read: it is nested more than 50 levels"):
        run("spring", str(csv_file), "--mapping", str(mapping))
    assert not Response.objects.exists()


def test_import_responses_reports_a_bad_mapping_file(survey_round, csv_file, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  Q1: [a1]\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"mapping file m\.yaml: columns\.Q1"):
        run("spring", str(csv_file), "--mapping", str(mapping))


def wide_csv(path: Path, extra: int = 20_000) -> Path:
    """A file of two columns that feed something and ``extra`` that do not (issue 18)."""
    header = ",".join(["side", "a1", *(f"col{i}" for i in range(1, extra + 1))])
    path.write_text(f"{header}\nit,3{',x' * extra}\n", encoding="utf-8")
    return path


def test_a_dry_run_of_20000_ignored_columns_stays_short(survey_round, tmp_path):
    """Issue 18: the dry run printed ~779 KB of ignored column names."""
    output = run("spring", str(wide_csv(tmp_path / "wide.csv")), "--dry-run")
    assert len(output) < 2_000
    assert (
        "20,000 columns ignored: 'col1', 'col2', 'col3', 'col4', 'col5' and 19,995 more" in output
    )
    assert "  'a1' -> item a1" in output


def test_a_dry_run_says_which_columns_are_ignored_once(survey_round, tmp_path):
    """Found by a fresh-user trial: the summary's warning and the column list both ended
    with "3 columns ignored: …", one under the other."""
    output = run("spring", str(wide_csv(tmp_path / "wide.csv", extra=3)), "--dry-run")
    assert output.count("3 columns ignored: 'col1', 'col2', 'col3'") == 1
    assert output.splitlines()[-3:] == ["Columns:", "  'side' -> profile side", "  'a1' -> item a1"]


def test_the_column_list_names_columns_ignored_that_the_summary_did_not(survey_round, tmp_path):
    """A column the mapping file maps to nothing is ignored without a warning; the column
    list of a dry run still says so, once."""
    path = tmp_path / "notes.csv"
    path.write_text("side,a1,Notes\nit,3,x\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  Notes: null\n", encoding="utf-8")
    output = run("spring", str(path), "--dry-run", "--mapping", str(mapping))
    assert output.count("1 column ignored: 'Notes'") == 1
    assert output.splitlines()[-1] == "  1 column ignored: 'Notes'"


def test_strict_names_20000_unmapped_columns_in_one_short_problem(survey_round, tmp_path):
    with pytest.raises(CommandError) as raised:
        run("spring", str(wide_csv(tmp_path / "wide.csv")), "--strict")
    message = str(raised.value)
    assert len(message) < 1_000
    assert "20,000 columns map to nothing: 'col1', 'col2', 'col3', 'col4', 'col5' and 19,995" in (
        message
    )


JAPANESE = "side,a1,a_comment\r\nIT,4,日本語のコメント\r\nSecurity,2,テスト\r\n"


def stored_comments() -> list[str]:
    return sorted(
        Response.objects.filter(answers__item__code="a_comment").values_list(
            "answers__text", flat=True
        )
    )


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (codecs.BOM_UTF32_LE + JAPANESE.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + JAPANESE.encode("utf-32-be"), "utf-32-be"),
        (JAPANESE.encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + JAPANESE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_utf32_and_utf16_files_with_a_mark_are_imported(survey_round, tmp_path, content, encoding):
    """Issue 18: a UTF-32 file was refused with "no column gives the side"."""
    path = tmp_path / "wide-chars.csv"
    path.write_bytes(content)
    output = run("spring", str(path))
    assert output.startswith("Imported 2 responses (4 answers)")
    assert stored_comments() == ["テスト", "日本語のコメント"]
    assert ImportBatch.objects.get().filename == "wide-chars.csv"


def test_a_shift_jis_file_is_named_not_garbled_and_reads_with_its_encoding(survey_round, tmp_path):
    """Issue 18: a Shift-JIS file was read as Windows-1252 and showed garbled text."""
    path = tmp_path / "sjis.csv"
    path.write_bytes(JAPANESE.encode("shift_jis"))
    with pytest.raises(CommandError) as raised:
        run("spring", str(path))
    message = str(raised.value)
    assert "The file is not UTF-8 text" in message
    assert "probably in another encoding, such as shift_jis or cp932 for Japanese" in message
    assert "--encoding in the import_responses command" in message
    assert not Response.objects.exists()

    assert run("spring", str(path), "--encoding", "shift_jis").startswith("Imported 2 responses")
    assert stored_comments() == ["テスト", "日本語のコメント"]


def test_an_unknown_encoding_is_a_command_error(survey_round, csv_file):
    with pytest.raises(CommandError, match="Unknown encoding 'klingon'"):
        run("spring", str(csv_file), "--encoding", "klingon")
