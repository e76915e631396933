"""Adversarial: after everything the trail records — a respondent's whole journey through
invitation emails, reminders and a draft, imports through the admin and the command with a
mapping file, admin edits of a round, deletions, the staff round page, report views and
downloads, sign-ins, an erasure and a purge — no field of any audit entry holds an
invitation token or its hash, a draft, an answer (a comment, a value code of the mapping
file, a free-text attribute, a respondent's answer vector), an invitee's address or a
password, and no entry names a survey link (/s/...).

The round's declared profile questions and their choices are settings of the round, recorded
when they change; what a respondent chose among them is not recorded anywhere."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from survey.admin_views import SESSION_KEY
from survey.models import Answer, Draft, ImportBatch, Invitation, Response, SurveyRound
from tests.audit.conftest import PASSWORD
from tests.survey.test_round_changes import admin_form

pytestmark = pytest.mark.django_db

ADDRESSES = ["ana.secret-4821@example.org", "bo.secret-7314@example.org"]
COMMENT = "COMMENT-Wombat-6620 my manager ignores patches"
DRAFT_COMMENT = "DRAFT-Comment-Pangolin-3390"
WRONG_PASSWORD = "PASSWORD-Tapir-9915"
VALUE_CODES = ["Quokka-agree-7731", "Quokka-disagree-2284"]
TEAM = "Team-Narwhal-5521"
IMPORT_COMMENT = "IMPORTED-Comment-Axolotl-1207"
MAPPING = f"""
columns:
  Team: side
  Squad: squad
  Q1: a1
  Q2: a2
  Note: a_comment
attributes: [squad]
values:
  likert:
    {VALUE_CODES[0]}: 5
    {VALUE_CODES[1]}: 1
""".encode()
IMPORT_FILE = (
    "Team,Squad,Q1,Q2,Note\n"
    f"IT,{TEAM},{VALUE_CODES[0]},{VALUE_CODES[1]},{IMPORT_COMMENT}\n"
    f"Security,{TEAM},{VALUE_CODES[1]},{VALUE_CODES[0]},\n"
).encode()
LINK = re.compile(r"/s/([^/\s]+)/")


def tokens_in(mails) -> set[str]:
    return {token for mail in mails for token in LINK.findall(mail.body)}


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


def test_no_audit_entry_holds_a_token_an_answer_a_comment_or_an_address(
    small_instrument, admin_user, django_user_model, mailoutbox, tmp_path
):
    secrets: set[str] = {*ADDRESSES, COMMENT, DRAFT_COMMENT, WRONG_PASSWORD, PASSWORD}
    secrets |= {*VALUE_CODES, TEAM, IMPORT_COMMENT}
    admin = Client()
    admin.post(reverse("login"), {"username": admin_user.username, "password": "wrong"})
    admin.force_login(admin_user)

    # A round made in the admin, invitees added and emailed from the staff round page.
    form = admin_form(
        SurveyRound(
            instrument=small_instrument,
            name="Spring 2027",
            slug="spring",
            opens_at=timezone.now() - timezone.timedelta(days=1),
            closes_at=timezone.now() + timezone.timedelta(days=20),
            min_group_size=5,
        )
    )
    assert admin.post(reverse("admin:survey_surveyround_add"), form).status_code == 302
    survey_round = SurveyRound.objects.get(slug="spring")
    manage = {
        name: reverse(f"survey:manage_{name}", kwargs={"slug": "spring"})
        for name in ("invitees", "send", "remind", "extend", "close")
    }
    admin.post(manage["invitees"], {"addresses": "\n".join(ADDRESSES)})
    admin.post(manage["send"], {"send-confirm": "on"})
    first_links = tokens_in(mailoutbox)
    assert len(first_links) == 2

    # One respondent saves a draft with a comment; a reminder brings fresh links.
    drafting = sorted(first_links)[0]
    respondent = Client()
    profile = {"side": "it", "function": "identity", "level": "manager", "action": "next"}
    respondent.post(url("profile", drafting), profile)
    respondent.post(
        url("page", drafting, n=1), {"a1": "2", "a_comment": DRAFT_COMMENT, "action": "next"}
    )
    secrets |= set(Draft.objects.values_list("handle", flat=True))
    secrets |= set(Draft.objects.values_list("sealed", flat=True))
    Invitation.objects.update(last_sent_on=timezone.now().date() - timezone.timedelta(days=2))
    admin.post(manage["remind"], {"remind-confirm": "on"})
    links = tokens_in(mailoutbox)
    secrets |= links
    secrets |= set(Invitation.objects.values_list("token_hash", flat=True))

    # The whole journey on a reminder's link, submitted.
    respondent = Client()
    # The invitee with no draft yet (the other one's fresh link resumes their draft).
    token = next(
        token
        for token in sorted(tokens_in(mailoutbox[2:]))
        if respondent.get(url("welcome", token)).status_code == 200
    )
    respondent.post(url("profile", token), profile)
    answers = {"a1": "4", "a2": "5", "a3": "1", "a_comment": COMMENT, "action": "next"}
    respondent.post(url("page", token, n=1), answers)
    respondent.post(url("page", token, n=2), {"b1": "3", "b2": "2", "action": "next"})
    assert respondent.post(url("submit", token)).status_code == 302
    assert Response.objects.filter(round=survey_round).count() == 1

    # Imports: the admin's (with a mapping file), the command's replacing it, a deletion.
    upload = {
        "file": SimpleUploadedFile("wave.csv", IMPORT_FILE),
        "mapping": SimpleUploadedFile("mapping.yaml", MAPPING),
        "header_rows": "1",
    }
    import_url = reverse("admin:survey_surveyround_import", args=[survey_round.pk])
    assert admin.post(import_url, upload).status_code == 200
    confirm = reverse("admin:survey_surveyround_import_confirm", args=[survey_round.pk])
    admin.post(confirm, {"token": admin.session[SESSION_KEY]["token"]})
    (tmp_path / "wave.csv").write_bytes(IMPORT_FILE.replace(b"Security", b"IT"))
    (tmp_path / "mapping.yaml").write_bytes(MAPPING)
    call_command(
        "import_responses",
        "spring",
        str(tmp_path / "wave.csv"),
        mapping=str(tmp_path / "mapping.yaml"),
        replace=True,
        stdout=io.StringIO(),
    )
    delete = reverse("admin:survey_importbatch_delete", args=[ImportBatch.objects.get().pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    call_command(
        "import_responses",
        "spring",
        str(tmp_path / "wave.csv"),
        mapping=str(tmp_path / "mapping.yaml"),
        stdout=io.StringIO(),
    )
    secrets |= {json.dumps(r) for r in Response.objects.values_list("likert_answers", flat=True)}

    # Admin edits: k, profile questions; the staff page extends and closes the round.
    survey_round.refresh_from_db()
    edit = reverse("admin:survey_surveyround_change", args=[survey_round.pk])
    questions = '[{"name": "region", "label": "Region", "choices": ["EMEA", "APAC"]}]'
    changed = admin.post(
        edit, admin_form(survey_round, min_group_size="6", profile_attributes=questions)
    )
    assert changed.status_code == 302
    later = (timezone.now() + timezone.timedelta(days=40)).strftime("%Y-%m-%d %H:%M")
    admin.post(manage["extend"], {"closes_at": later})
    admin.post(manage["close"], {"confirm": "yes"})

    # Leaders and analysts read and download; sign-ins, a failed one, a sign-out.
    leader = django_user_model.objects.create_user("boss", password=PASSWORD)
    leader.groups.add(Group.objects.get_or_create(name="Analysts")[0])
    reader = Client()
    reader.post(reverse("login"), {"username": "boss", "password": WRONG_PASSWORD})
    assert (
        reader.post(reverse("login"), {"username": "boss", "password": PASSWORD}).status_code == 302
    )
    for page, kwargs in [
        ("dashboard", {}),
        ("dimension", {"code": "a"}),
        ("comments", {"code": "a"}),
        ("trend", {}),
        ("executive_summary", {}),
    ]:
        assert (
            reader.get(reverse(f"reports:{page}", kwargs={"slug": "spring", **kwargs})).status_code
            == 200
        )
    for kind in ("responses", "summary", "gaps"):
        reader.get(reverse("reports:export", kwargs={"slug": "spring", "kind": kind}))
    reader.post(reverse("logout"))
    call_command(
        "export_csv", "spring", kind="summary", output=str(tmp_path / "s.csv"), stderr=io.StringIO()
    )

    # An erasure on request, a purge.
    call_command("erase_invitee", ADDRESSES[1], stdout=io.StringIO())
    call_command("purge_expired", stdout=io.StringIO())

    secrets |= {text for text in Answer.objects.exclude(text="").values_list("text", flat=True)}
    recorded = set(Entry.objects.values_list("action", flat=True))
    assert recorded >= {
        "sign_in_failed",
        "signed_in",
        "signed_out",
        "round_created",
        "round_changed",
        "responses_imported",
        "responses_replaced",
        "responses_deleted",
        "report_viewed",
        "export_downloaded",
        "addresses_erased",
    }
    assert {"min_group_size", "profile_attributes", "closes_at"} <= set(
        Entry.objects.filter(action="round_changed").values_list("subject", flat=True)
    )

    found = []
    fields = [field.attname for field in Entry._meta.concrete_fields]
    for row in Entry.objects.values_list(*fields):
        for name, value in zip(fields, row, strict=True):
            text = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
            for secret in secrets:
                if secret and secret.lower() in text.lower():
                    found.append((name, secret, text[:200]))
            if "/s/" in text:
                found.append((name, "/s/", text[:200]))
    assert not found, found
    assert len(secrets) > 20  # the scan looked for many things
