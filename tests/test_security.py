"""Tests of the security promises: nothing links a response to its respondent, tokens stay
out of logs, login throttling, headers and CSP, `check --deploy`, hostile text and CSV."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from config.logging_filters import RedactSurveyTokens, redact_survey_tokens
from reports.exports import BOM, csv_bytes, safe_cell
from survey.models import Answer, Draft, Invitation, Response
from survey.services.invitations import invitations_issue
from survey.services.responses import response_submit
from survey.tokens import token_hash
from tests.conftest import responses_bulk
from tests.factories import (
    DimensionFactory,
    InstrumentFactory,
    ItemFactory,
    SurveyRoundFactory,
    store_draft,
)

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SHORT = "<b onclick=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
PROFILE = {"side": "it", "function": "infrastructure", "level": "manager"}


def survey_url(name: str, token: str, **kwargs) -> str:
    return reverse(f"survey:{name}", kwargs={"token": token, **kwargs})


# --- Nothing links a stored response to its respondent -------------------------------------

RESPONSE_FIELDS = {
    "id",
    "round",
    "side",
    "function",
    "level",
    "submitted_on",
    "source",
    "import_batch",
    "attributes",
    "likert_answers",  # a copy of its own Likert answers, for the responses export
}
# dont_know and predicted_other (issue 15) say what was answered, as value does: a flag and a
# point of the scale, nothing about who answered.
ANSWER_FIELDS = {"id", "response", "item", "value", "dont_know", "predicted_other", "text"}


@pytest.mark.parametrize(
    ("model", "allowed"), [(Response, RESPONSE_FIELDS), (Answer, ANSWER_FIELDS)]
)
def test_response_and_answer_have_no_field_that_identifies_a_respondent(model, allowed):
    fields = {field.name: field for field in model._meta.get_fields() if field.concrete}
    # A new column must be judged for anonymity before it is added to this list.
    assert set(fields) == allowed
    for field in fields.values():
        assert not isinstance(field, models.DateTimeField | models.TimeField), field.name
        assert not isinstance(field, models.GenericIPAddressField), field.name
        if field.is_relation:
            assert field.related_model not in {Invitation, settings.AUTH_USER_MODEL}
            assert field.related_model._meta.label not in {"survey.Invitation", "auth.User"}
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)


def test_invitation_has_no_link_to_a_response():
    for field in Invitation._meta.get_fields():
        assert getattr(field, "related_model", None) is not Response, field.name


@pytest.mark.django_db
def test_submitting_only_marks_the_invitation_used(small_instrument):
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    (token,) = invitations_issue(round=survey_round, count=1, side="it")
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    store_draft(invitation, {"profile": PROFILE, "answers": {"a1": 4, "a_comment": "Mine"}})
    before = {f.attname: getattr(invitation, f.attname) for f in Invitation._meta.concrete_fields}
    response = response_submit(invitation=invitation)
    invitation = Invitation.objects.get(pk=invitation.pk)
    after = {f.attname: getattr(invitation, f.attname) for f in Invitation._meta.concrete_fields}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"used"}
    assert not Draft.objects.exists()  # the draft is gone with the submission
    # The stored row carries no token, no hash and no invitation id anywhere.
    row = Response.objects.filter(pk=response.pk).values().get()
    stored = json.dumps(row, default=str)
    assert token not in stored
    assert invitation.token_hash not in stored


@pytest.mark.django_db
def test_tokens_carry_128_bits_and_only_their_hash_is_stored(small_instrument):
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    tokens = invitations_issue(round=survey_round, count=3)
    for token in tokens:
        assert len(token) * 6 >= 128  # url-safe base64: 6 bits a character
        row = Invitation.objects.filter(token_hash=token_hash(token)).values().get()
        assert token not in json.dumps(row, default=str)


@pytest.mark.django_db
def test_two_tabs_submitting_one_link_store_one_response(small_instrument):
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    (token,) = invitations_issue(round=survey_round, count=1)
    first, second = Client(), Client()
    first.post(survey_url("profile", token), PROFILE)
    first.post(survey_url("page", token, n=1), {"a1": "4", "action": "next"})
    assert second.get(survey_url("review", token)).status_code == 200  # both tabs open
    assert first.post(survey_url("submit", token)).status_code == 302
    late = second.post(survey_url("submit", token))
    assert late.status_code == 410
    assert "already" in late.content.decode().lower()
    assert Response.objects.count() == 1


# --- Tampered answers ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_item_of_another_instrument_is_never_stored(small_instrument, client):
    other = DimensionFactory(instrument=InstrumentFactory(), code="z")
    ItemFactory(dimension=other, code="foreign")
    survey_round = SurveyRoundFactory(instrument=small_instrument)
    (token,) = invitations_issue(round=survey_round, count=1)
    client.post(survey_url("profile", token), PROFILE)
    client.post(survey_url("page", token, n=1), {"a1": "9", "foreign": "3", "action": "next"})
    page = client.post(survey_url("page", token, n=1), {"foreign": "3", "action": "next"})
    assert page.status_code == 302
    client.post(survey_url("submit", token))
    assert not Answer.objects.filter(item__code="foreign").exists()


# --- Tokens never reach a log line ---------------------------------------------------------


def test_the_filter_redacts_survey_tokens_in_messages_and_arguments():
    token = "uOXTBHoK4bRf3ci0XcYe2UDTRbl4_XCd4xpBJQgNqJA"
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/s/{token}/x/",), None
    )
    assert RedactSurveyTokens().filter(record)
    assert record.getMessage() == "Not Found: /s/[token]/x/"
    assert redact_survey_tokens(f'"GET /s/{token}/page/2/ HTTP/1.1" 404') == (
        '"GET /s/[token]/page/2/ HTTP/1.1" 404'
    )
    assert redact_survey_tokens("GET /reports/demo/ 200") == "GET /reports/demo/ 200"


def _capture(handler: logging.Handler) -> io.StringIO:
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


@pytest.mark.django_db
def test_a_404_on_a_survey_link_is_logged_without_its_token(client):
    token = secrets.token_urlsafe(32)
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSurveyTokens) for f in h.filters)
    ]
    assert handlers, "the root console handler must redact tokens"
    old = handlers[0].stream
    stream = _capture(handlers[0])
    try:
        assert client.get(survey_url("page", token, n=1)).status_code == 404
    finally:
        handlers[0].setStream(old)
    logged = stream.getvalue()
    assert "/s/[token]/page/1/" in logged
    assert token not in logged


def test_runserver_request_lines_are_logged_without_the_token():
    token = secrets.token_urlsafe(32)
    handler = next(
        h
        for h in logging.getLogger("django.server").handlers
        if any(isinstance(f, RedactSurveyTokens) for f in h.filters)
    )
    old = handler.stream
    stream = _capture(handler)
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /s/{token}/ HTTP/1.1", "200", "12", extra={"status_code": 200}
        )
    finally:
        handler.setStream(old)
    assert token not in stream.getvalue()
    assert "/s/[token]/" in stream.getvalue()


# --- Login throttling ----------------------------------------------------------------------


@pytest.mark.django_db
def test_five_failed_logins_lock_the_username_from_that_address(django_user_model):
    django_user_model.objects.create_user("leader", password="a-long-pass-phrase")
    client = Client()
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page = client.post(login, {"username": "leader", "password": "wrong"})
        assert page.status_code == 200
        assert "Please enter a correct" in page.content.decode()
    fifth = client.post(login, {"username": "leader", "password": "wrong"})
    assert fifth.status_code == 429
    # Locked out: even the right password is refused until the cool-off ends.
    locked = client.post(login, {"username": "leader", "password": "a-long-pass-phrase"})
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out (lockout by username AND address).
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    ok = elsewhere.post(login, {"username": "leader", "password": "a-long-pass-phrase"})
    assert ok.status_code == 302
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


@pytest.mark.django_db
def test_a_good_login_still_works(django_user_model):
    django_user_model.objects.create_user("leader", password="a-long-pass-phrase")
    client = Client()
    page = client.post(reverse("login"), {"username": "leader", "password": "a-long-pass-phrase"})
    assert page.status_code == 302


# --- Headers, CSP and no inline code -------------------------------------------------------


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def assert_no_inline_code(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not EVENT_HANDLER.search(html)
    assert "javascript:" not in html.lower()


# --- Hostile text ----------------------------------------------------------------------------


@pytest.fixture
def hostile_round(db, django_user_model):
    """A round whose every user-written text is an HTML payload, with enough answers."""
    from django.contrib.auth.models import Group

    instrument = InstrumentFactory(title=HOSTILE, scale_labels=[HOSTILE, "2", "3", "4", "5"])
    dimension = DimensionFactory(
        instrument=instrument, code="a", name=HOSTILE, description=HOSTILE, guidance=HOSTILE
    )
    for n in (1, 2):
        ItemFactory(dimension=dimension, code=f"a{n}", text=f"{HOSTILE} {n}", order=n)
    ItemFactory(dimension=dimension, code="a_comment", text=HOSTILE, kind="text", order=9)
    survey_round = SurveyRoundFactory(instrument=instrument, name=HOSTILE, slug="hostile")
    specs = [
        (side, {"a1": value, "a2": 6 - value, "a_comment": f"{HOSTILE} {FORMULA} {i}"})
        for i, (side, value) in enumerate([("it", 5), ("security", 2)] * 6)
    ]
    # Level is a 20-character column: a shorter payload of the same kind.
    responses_bulk(survey_round, specs, function=HOSTILE, level=HOSTILE_SHORT)
    analyst = django_user_model.objects.create_user("analyst", password="a-long-pass-phrase")
    analyst.groups.add(Group.objects.get_or_create(name="Analysts")[0])
    return survey_round, analyst


def figure_strings(html: str) -> list[str]:
    """Every string inside the page's json_script figure blocks."""
    strings: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    blocks = re.findall(r'<script id="figure-[^"]+" type="application/json">(.*?)</script>', html)
    assert blocks, "no figures on the page"
    for block in blocks:
        walk(json.loads(block))
    return strings


def test_hostile_text_is_escaped_in_pages_and_figures(client, hostile_round):
    survey_round, analyst = hostile_round
    client.force_login(analyst)
    pages = {
        "list": reverse("reports:round_list"),
        "dashboard": reverse("reports:dashboard", kwargs={"slug": survey_round.slug}),
        "dimension": reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": "a"}),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert HOSTILE not in html, name
        assert HOSTILE_SHORT not in html, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, name
        assert_no_inline_code(html)
        if name != "list":
            for text in figure_strings(html):
                assert "<img" not in text, (name, text)
                assert "onerror=" not in text or "&lt;img" in text, (name, text)
    comments = client.get(pages["dimension"]).context["comments"]
    assert len(comments) == 12  # shown, escaped by the template


@pytest.mark.django_db
def test_hostile_text_is_escaped_on_the_survey_pages(client, hostile_round):
    survey_round, _analyst = hostile_round
    (token,) = invitations_issue(round=survey_round, count=1)
    client.post(survey_url("profile", token), PROFILE)
    client.post(survey_url("page", token, n=1), {"a1": "1", "a_comment": HOSTILE, "action": "next"})
    for page in (
        survey_url("welcome", token),
        survey_url("page", token, n=1),
        survey_url("review", token),
    ):
        html = client.get(page, follow=True).content.decode()
        assert HOSTILE not in html, page
        assert_no_inline_code(html)


def test_hostile_text_is_neutralised_in_the_csv_exports(client, hostile_round):
    survey_round, analyst = hostile_round
    client.force_login(analyst)
    for kind in ("responses", "summary", "gaps"):
        url = reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": kind})
        body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(body, newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (kind, cell)
        assert "HYPERLINK" not in body  # comments are never exported


# --- CSV: formula injection, numbers, encodings, round trips ------------------------------


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_triggers_are_neutralised_in_headers_and_values(trigger):
    text = f"{trigger}1+cmd|' /C calc'!A0"
    data = b"".join(csv_bytes([[text, "plain"], ["x", text]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [[f"'{text}", "plain"], ["x", f"'{text}"]]


def test_real_numbers_stay_numeric():
    assert safe_cell(-3.5) == -3.5
    assert safe_cell(-2) == -2
    data = b"".join(csv_bytes([[-3.5, 0, 12, 1e-7]])).decode("utf-8-sig")
    assert data == "-3.5,0,12,1e-07\r\n"
    assert safe_cell("-3.5") == "'-3.5"  # text that looks like a number is text


def test_commas_quotes_and_newlines_round_trip():
    texts = ["a, b", 'He said "no"', "line one\nline two", "crlf\r\nend", "ünïcødé ✓"]
    data = b"".join(csv_bytes([texts]))
    assert data.startswith(BOM)
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) == [texts]


def test_plain_utf8_has_no_byte_order_mark():
    data = b"".join(csv_bytes([["é"]], bom=False))
    assert data == "é\r\n".encode()


@pytest.mark.django_db
def test_downloads_and_command_offer_plain_utf8(client, hostile_round, tmp_path):
    survey_round, analyst = hostile_round
    client.force_login(analyst)
    url = reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": "summary"})
    with_bom = b"".join(client.get(url).streaming_content)
    without = b"".join(client.get(url + "?bom=0").streaming_content)
    assert with_bom.startswith(BOM)
    assert not without.startswith(BOM)
    assert with_bom[len(BOM) :] == without
    output = tmp_path / "summary.csv"
    call_command(
        "export_csv", survey_round.slug, "--kind", "summary", "--no-bom", "--output", str(output)
    )
    assert output.read_bytes() == without


# --- Production settings -------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REQUIRE_SECRET_KEY": "1",
        "SECURE_HTTPS": "1",
        "BEHIND_PROXY": "1",  # as docs/deployment.md runs it, behind nginx
        "ALLOWED_HOSTS": "friction.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://friction.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    # Set by other tests (browser tests run Django beside Playwright's event loop).
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
