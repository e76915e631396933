"""Tests of the admin pages that import a file of responses: upload, preview, confirm."""

from __future__ import annotations

import codecs
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessment.yaml_limits import MAX_YAML_BYTES
from survey.admin_views import SESSION_KEY
from survey.models import ImportBatch, Response

pytestmark = pytest.mark.django_db

GOOD = b"side,level,a1,a2,a_comment\nIT,manager,4,Strongly agree,fine\nsecurity,,2,,\n"


def upload_url(survey_round) -> str:
    return reverse("admin:survey_surveyround_import", args=[survey_round.pk])


def confirm_url(survey_round) -> str:
    return reverse("admin:survey_surveyround_import_confirm", args=[survey_round.pk])


def post_file(client, survey_round, content: bytes, name: str = "wave.csv", **fields):
    data = {"file": SimpleUploadedFile(name, content), "header_rows": "1", **fields}
    return client.post(upload_url(survey_round), data)


def test_round_changelist_links_to_the_import_page(admin_client, survey_round):
    page = admin_client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    assert upload_url(survey_round) in page


def test_upload_page_shows_the_form(admin_client, survey_round):
    page = admin_client.get(upload_url(survey_round))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'name="file"' in body
    assert "1 = Strongly disagree" in body


def test_anonymous_and_non_staff_users_are_sent_to_log_in(client, django_user_model, survey_round):
    assert "/admin/login/" in client.get(upload_url(survey_round))["Location"]
    client.force_login(django_user_model.objects.create_user("member", password="pw-1234567"))
    assert "/admin/login/" in client.get(upload_url(survey_round))["Location"]
    page = client.post(upload_url(survey_round), {"file": SimpleUploadedFile("a.csv", GOOD)})
    assert "/admin/login/" in page["Location"]
    assert "/admin/login/" in client.post(confirm_url(survey_round), {"token": "x"})["Location"]
    assert not Response.objects.exists()


def test_staff_without_permission_on_rounds_is_refused(client, django_user_model, survey_round):
    user = django_user_model.objects.create_user("staff", password="pw-123456789", is_staff=True)
    client.force_login(user)
    assert client.get(upload_url(survey_round)).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_surveyround"))
    client.force_login(user)
    assert client.get(upload_url(survey_round)).status_code == 200


def test_unknown_round_is_not_found(admin_client, survey_round):
    url = reverse("admin:survey_surveyround_import", args=[survey_round.pk + 100])
    assert admin_client.get(url).status_code == 404


def test_preview_shows_the_mapping_and_first_rows_and_writes_nothing(admin_client, survey_round):
    page = post_file(admin_client, survey_round, GOOD)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Dry run: would import 2 responses (4 answers) from wave.csv" in body
    assert "item <code>a2</code>" in body
    assert "<td>manager</td>" in body
    assert "Import 2 responses" in body
    assert not Response.objects.exists()
    assert not ImportBatch.objects.exists()
    assert admin_client.session[SESSION_KEY]["filename"] == "wave.csv"


def test_confirm_imports_the_previewed_file(admin_client, survey_round):
    post_file(admin_client, survey_round, GOOD)
    token = admin_client.session[SESSION_KEY]["token"]
    done = admin_client.post(confirm_url(survey_round), {"token": token}, follow=True)
    assert done.redirect_chain[-1][0] == reverse(
        "admin:survey_surveyround_change", args=[survey_round.pk]
    )
    assert "Imported 2 responses (4 answers) from wave.csv" in done.content.decode()
    assert Response.objects.filter(round=survey_round, source="imported").count() == 2
    assert ImportBatch.objects.get().filename == "wave.csv"
    assert SESSION_KEY not in admin_client.session
    # Confirming again (back button) imports nothing more.
    again = admin_client.post(confirm_url(survey_round), {"token": token})
    assert again.status_code == 302
    assert Response.objects.count() == 2


def test_confirm_with_a_wrong_token_imports_nothing(admin_client, survey_round):
    post_file(admin_client, survey_round, GOOD)
    page = admin_client.post(confirm_url(survey_round), {"token": "forged"}, follow=True)
    assert "upload the file again" in page.content.decode()
    assert not Response.objects.exists()


def test_confirm_needs_post(admin_client, survey_round):
    assert admin_client.get(confirm_url(survey_round)).status_code == 405


def test_confirm_of_a_file_imported_meanwhile_shows_the_refusal(admin_client, survey_round):
    post_file(admin_client, survey_round, GOOD)
    first = admin_client.session[SESSION_KEY]["token"]
    admin_client.post(confirm_url(survey_round), {"token": first})
    post_file(admin_client, survey_round, GOOD, replace="on")
    second = admin_client.session[SESSION_KEY]["token"]
    assert admin_client.session[SESSION_KEY]["options"]["replace"] is True
    admin_client.post(confirm_url(survey_round), {"token": second})
    assert Response.objects.count() == 2  # replaced, not doubled
    page = post_file(admin_client, survey_round, GOOD)
    assert "already imported into this round" in page.content.decode()


def test_problems_are_listed_with_their_lines(admin_client, survey_round):
    page = post_file(admin_client, survey_round, b"side,a1\nit,3\nit,7\nmars,1\n")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nothing was imported: 2 problems." in body
    assert "line 3, column &#x27;a1&#x27;: Value 7" in body
    assert "line 4, column &#x27;side&#x27;: unknown side" in body
    assert not Response.objects.exists()


def test_more_header_rows_than_the_file_has_lines_says_so(admin_client, survey_round):
    page = post_file(admin_client, survey_round, b"side,a1\nit,3\nit,4\n", header_rows="10")
    body = page.content.decode()
    assert (
        "10 header rows were asked for, but the file has only 3 lines (blank ones not "
        "counted): set the number of header rows to the rows above the first response."
    ) in body
    assert "no responses below them" not in body
    assert not Response.objects.exists()


def test_a_field_over_the_csv_limit_is_named_plainly(admin_client, survey_round):
    content = b'side,a1,a_comment\nit,3,"' + b"x" * 140_000 + b'"\n'
    body = post_file(admin_client, survey_round, content).content.decode()
    assert "line 2: a field is longer than 131,072 characters;" in body
    assert "field limit" not in body
    assert not Response.objects.exists()


def test_the_mapping_file_is_used(admin_client, survey_round):
    mapping = b"columns:\n  Team: side\n  Q1: a1\nvalues:\n  side:\n    Tech: it\n"
    page = admin_client.post(
        upload_url(survey_round),
        {
            "file": SimpleUploadedFile("m.csv", b"Team,Q1\nTech,5\n"),
            "mapping": SimpleUploadedFile("m.yaml", mapping),
            "header_rows": "1",
        },
    )
    assert "would import 1 response (1 answer)" in page.content.decode()
    token = admin_client.session[SESSION_KEY]["token"]
    admin_client.post(confirm_url(survey_round), {"token": token})
    assert Response.objects.get().side == "it"


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["side", "a1"])
    workbook.active.append(["Security", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_upload_previews(admin_client, survey_round):
    page = post_file(admin_client, survey_round, xlsx_bytes(), name="tool.xlsx")
    assert "Read as an .xlsx workbook" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "Upload a .csv or .xlsx file"),
        ("empty.csv", b"", "The submitted file is empty."),
        ("blank.csv", b"\r\n \r\n", "The file is empty."),
        ("garbage.csv", bytes(range(256)) * 40, "binary data"),
        ("fake.xlsx", b"PK\x03\x04garbage" * 10, "not a readable .xlsx workbook"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old-style Excel"),
        ("headers.csv", b"side,a1\n", "no responses below them"),
        ("nothing.csv", b"who,what\nx,y\n", "no column gives the side"),
    ],
)
def test_bad_uploads_get_a_message_not_an_error(admin_client, survey_round, name, content, message):
    page = post_file(admin_client, survey_round, content, name=name)
    assert page.status_code == 200
    assert message in page.content.decode().replace("&quot;", '"')
    assert 'name="header_rows"' in page.content.decode()
    assert not Response.objects.exists()


def test_a_file_just_over_the_cap_is_refused_in_the_form(admin_client, survey_round, settings):
    """Issue 18: every uploaded file has a cap, said in the form with its other values."""
    settings.FRICTION_IMPORT_MAX_BYTES = 1000
    at_cap = GOOD + b" " * (1000 - len(GOOD))  # blank comment: the same file
    assert len(at_cap) == 1000
    assert post_file(admin_client, survey_round, at_cap).status_code == 200
    assert SESSION_KEY in admin_client.session  # at the cap: read and previewed

    page = post_file(
        admin_client, survey_round, at_cap + b"x", header_rows="2", encoding="cp1252", strict="on"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert (
        "This file is 1001 bytes; at most 1000 bytes can be uploaded here. Split it, or import "
        "it with the import_responses command, which has no cap."
    ) in body
    assert 'value="2"' in body
    assert '<option value="cp1252" selected>' in body
    assert "checked" in body
    assert "at most 1000 bytes" in body
    assert not Response.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_mapping_file_just_over_the_cap_is_refused(admin_client, survey_round, settings):
    settings.FRICTION_MAPPING_MAX_BYTES = 100
    mapping = b"columns:\n  Level: level\n" + b"#" * 77
    assert len(mapping) == 101
    page = admin_client.post(
        upload_url(survey_round),
        {
            "file": SimpleUploadedFile("a.csv", GOOD),
            "mapping": SimpleUploadedFile("m.yaml", mapping),
            "header_rows": "1",
        },
    )
    assert page.status_code == 200
    assert "This file is 101 bytes; at most 100 bytes can be uploaded here." in (
        page.content.decode()
    )
    assert SESSION_KEY not in admin_client.session
    assert not Response.objects.exists()


def test_the_mapping_cap_is_the_yaml_readers_limit(settings):
    assert settings.FRICTION_MAPPING_MAX_BYTES == MAX_YAML_BYTES


def test_a_missing_file_and_bad_options_keep_what_was_typed(admin_client, survey_round):
    page = admin_client.post(upload_url(survey_round), {"header_rows": "99", "strict": "on"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "This field is required." in body
    assert 'value="99"' in body
    assert "checked" in body


def test_a_bad_mapping_file_gets_a_message(admin_client, survey_round):
    page = admin_client.post(
        upload_url(survey_round),
        {
            "file": SimpleUploadedFile("a.csv", GOOD),
            "mapping": SimpleUploadedFile("m.yaml", b"\xff\xfe\x00garbage"),
            "header_rows": "1",
        },
    )
    assert page.status_code == 200
    assert "The mapping file is not UTF-8 text." in page.content.decode()


def test_a_mapping_file_nested_thousands_deep_gets_a_message_not_a_500(admin_client, survey_round):
    """Issue 18: a mapping YAML 3,000 levels deep answered 500 (RecursionError)."""
    deep = b"columns: " + b"[" * 3000 + b"]" * 3000
    page = admin_client.post(
        upload_url(survey_round),
        {
            "file": SimpleUploadedFile("a.csv", GOOD),
            "mapping": SimpleUploadedFile("m.yaml", deep),
            "header_rows": "1",
        },
    )
    assert page.status_code == 200
    assert "The mapping file is not read: it is nested more than 50 levels deep" in (
        page.content.decode()
    )


def test_the_upload_still_checks_the_csrf_token(admin_user, survey_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = post_file(client, survey_round, GOOD)
    assert page.status_code == 403
    assert SESSION_KEY not in client.session
    confirm = client.post(confirm_url(survey_round), {"token": "x"})
    assert confirm.status_code == 403


def test_the_preview_of_20000_ignored_columns_stays_short(admin_client, survey_round):
    """Issue 18: the preview listed every ignored column, a page 712,000 px tall."""
    small = post_file(admin_client, survey_round, b"side,a1\nit,3\n").content.decode()
    header = ",".join(["side", "a1", *(f"col{i}" for i in range(1, 20_001))])
    wide = f"{header}\nit,3{',x' * 20_000}\n".encode()
    page = post_file(admin_client, survey_round, wide, name="wide.csv")
    body = page.content.decode().replace("&#x27;", "'")

    assert page.status_code == 200
    assert len(body) < len(small) + 1_500
    assert (
        body.count("20,000 columns ignored: 'col1', 'col2', 'col3', 'col4', 'col5' and 19,995 more")
        == 1
    )
    assert "item <code>a1</code>" in body
    assert "col6" not in body


def test_a_shift_jis_file_is_named_and_reads_with_the_encoding_chosen(admin_client, survey_round):
    """Issue 18: a Shift-JIS file was previewed as garbled Windows-1252 text."""
    content = "side,a1,a_comment\r\nIT,4,日本語のコメント\r\n".encode("shift_jis")
    page = post_file(admin_client, survey_round, content, name="sjis.csv", strict="on")
    body = page.content.decode().replace("&#x27;", "'")
    assert page.status_code == 200
    assert "The file is not UTF-8 text" in body
    assert "Text encoding in the admin" in body
    assert "checked" in body
    assert SESSION_KEY not in admin_client.session

    page = post_file(admin_client, survey_round, content, name="sjis.csv", encoding="shift_jis")
    body = page.content.decode()
    assert "Dry run: would import 1 response (2 answers) from sjis.csv" in body
    assert "日本語のコメント" in body
    assert "Read as CSV text in shift_jis" in body


def test_a_utf32_file_is_previewed(admin_client, survey_round):
    content = codecs.BOM_UTF32_LE + "side,a1\r\nIT,4\r\n".encode("utf-32-le")
    body = post_file(admin_client, survey_round, content, name="u32.csv").content.decode()
    assert "Dry run: would import 1 response (1 answer) from u32.csv" in body
    assert "Read as CSV text in utf-32-le" in body
