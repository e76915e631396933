"""Tests of the staff round page: access, dates, participation, invitees, emails, sending."""

from __future__ import annotations

import datetime as dt
import logging
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from survey.manage_forms import MAX_PASTED_CHARS
from survey.models import Invitation
from survey.services.invitations import invitations_send, invitees_add

pytestmark = pytest.mark.django_db

# Session, user, round; participation (the invitations, then the responses); the send
# counts: 6, with room for two.
MAX_QUERIES = 8
ACTIONS = ["open", "close", "extend", "invitees", "send", "remind"]


def url(name: str, survey_round) -> str:
    return reverse(f"survey:manage_{name}", kwargs={"slug": survey_round.slug})


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def csv_file(content: bytes, name: str = "invitees.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def follow_messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- access ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, survey_round):
    for name in ["round", "email", *ACTIONS]:
        response = (client.get if name in ("round", "email") else client.post)(
            url(name, survey_round)
        )
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_accounts_without_staff_rights_on_rounds_are_refused(
    client, django_user_model, survey_round, mailoutbox
):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    member = django_user_model.objects.create_user("member", password="pw-1234567890")
    client.force_login(member)
    assert client.get(url("round", survey_round)).status_code == 403
    assert client.post(url("send", survey_round), {"send-confirm": "on"}).status_code == 403

    staff = django_user_model.objects.create_user("staff", password="pw-1234567890", is_staff=True)
    client.force_login(staff)
    assert client.get(url("round", survey_round)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_surveyround"))
    client.force_login(staff)
    assert client.get(url("round", survey_round)).status_code == 200
    assert mailoutbox == []


def test_a_refused_account_is_logged_in_one_line_without_a_traceback(
    client, django_user_model, survey_round, caplog
):
    """Found by a fresh-user trial: a leader opening the staff round page got the right 403
    page, but Django logged PermissionDenied with its traceback (it passes the exception
    as exc_info for a 403), as if something had broken."""
    leader = django_user_model.objects.create_user("leader", password="pw-1234567890")
    client.force_login(leader)
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get(url("round", survey_round)).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "WARNING"
    assert record.getMessage() == f"Forbidden (Permission denied): {url('round', survey_round)}"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_server_error_is_still_logged_with_its_traceback(
    admin_client, survey_round, caplog, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the participation query broke")

    monkeypatch.setattr("survey.manage_views.round_participation", broken)
    admin_client.raise_request_exception = False
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert admin_client.get(url("round", survey_round)).status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert "RuntimeError: the participation query broke" in caplog.text


def test_an_unknown_round_is_not_found(admin_client, survey_round):
    assert admin_client.get("/manage/rounds/no-such-round/").status_code == 404


def test_the_round_admin_links_to_the_round_page(admin_client, survey_round):
    page = admin_client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    assert url("round", survey_round) in page


def test_actions_refuse_get(admin_client, survey_round):
    assert admin_client.get(url("send", survey_round)).status_code == 405


@pytest.mark.parametrize("name", ["round", "email", "sending", *ACTIONS])
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_get_405_not_the_csrf_page(survey_round, name, method):
    """A PUT was refused by the CSRF check (403, "page expired") before the method check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(_superuser())
    response = getattr(client, method)(url(name, survey_round))

    assert response.status_code == 405
    assert "Allow" in response


@pytest.mark.parametrize("name", [*ACTIONS, "email"])
def test_a_post_without_the_csrf_token_is_still_refused(survey_round, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(_superuser())

    assert client.post(url(name, survey_round), {}).status_code == 403
    assert Invitation.objects.filter(round=survey_round).count() == 0


def _superuser():
    return get_user_model().objects.create_superuser("csrf-admin", "", "pw-not-used-1")


# --- the page ----------------------------------------------------------------------------


def test_the_page_shows_participation_with_groups_below_k_hidden(
    admin_client, survey_round, django_assert_max_num_queries
):
    rows = [{"email": f"it{n}@example.org", "side": "it"} for n in range(8)]
    rows += [{"email": f"sec{n}@example.org", "side": "security"} for n in range(6)]
    rows += [{"email": f"other{n}@example.org", "side": "other"} for n in range(5)]
    invitees_add(round=survey_round, rows=rows)
    Invitation.objects.filter(side="other").update(used=True)
    Invitation.objects.filter(email__startswith="it").exclude(email="it7@example.org").update(
        used=True
    )
    Invitation.objects.filter(email__in=["sec0@example.org", "sec1@example.org"]).update(used=True)

    with django_assert_max_num_queries(MAX_QUERIES):
        page = admin_client.get(url("round", survey_round))

    assert page.status_code == 200
    body = text(page)
    assert "14 of 19 invitations used. Response rate: 74%" in body
    assert "IT 8 7 88% fewer than 5" in body  # no response yet: answered as IT reads small
    assert "Security 6 fewer than 5 — fewer than 5" in body  # 2 used
    # Other is shown beside the total: as published, the total minus IT and Other gives
    # Security's 2 only as an interval.
    assert "Other 5 5 100% fewer than 5" in body
    assert "Total 19 14 74% fewer than 5" in body
    assert "Open." in body
    assert "(Europe/London)" in body
    closes = survey_round.closes_at.astimezone(ZoneInfo("Europe/London"))
    assert f'value="{closes:%Y-%m-%dT%H:%M}"' in page.content.decode()  # extend starts there


# --- dates -------------------------------------------------------------------------------


def test_close_then_open_again(admin_client, survey_round):
    closed = admin_client.post(url("close", survey_round), {"confirm": "yes"}, follow=True)
    assert "The round is closed" in follow_messages(closed)
    survey_round.refresh_from_db()
    assert not survey_round.is_open()
    assert "Closed." in text(closed)

    opened = admin_client.post(url("open", survey_round), follow=True)
    assert "The round is open." in follow_messages(opened)
    survey_round.refresh_from_db()
    assert survey_round.is_open()


def test_closing_needs_the_tick_box_since_it_deletes_drafts(admin_client, survey_round):
    """Found by a fresh-user trial: one click on Close now deleted every respondent's
    answers in progress, with no confirmation."""
    refused = admin_client.post(url("close", survey_round), follow=True)
    assert "Tick the box to confirm" in refused.content.decode()
    survey_round.refresh_from_db()
    assert survey_round.is_open()


def test_closing_a_closed_round_says_why(admin_client, survey_round):
    admin_client.post(url("close", survey_round), {"confirm": "yes"})
    again = admin_client.post(url("close", survey_round), {"confirm": "yes"}, follow=True)
    assert "Only an open round can be closed." in follow_messages(again)


def test_extend_reads_the_time_in_the_rounds_zone(admin_client, survey_round):
    year = timezone.localdate().year + 1
    response = admin_client.post(url("extend", survey_round), {"closes_at": f"{year}-07-01T18:30"})

    assert response.status_code == 302
    survey_round.refresh_from_db()
    local = survey_round.closes_at.astimezone(ZoneInfo("Europe/London"))
    assert (local.year, local.month, local.day, local.hour, local.minute) == (year, 7, 1, 18, 30)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "This field is required."),
        ("not a date", "Enter a valid date/time."),
        ("2031-02-30T10:00", "Enter a valid date/time."),
        ("2001-01-01T10:00", "The new closing time has passed."),
    ],
)
def test_a_bad_closing_time_shows_the_form_again(admin_client, survey_round, value, problem):
    before = survey_round.closes_at
    response = admin_client.post(url("extend", survey_round), {"closes_at": value})

    assert response.status_code == 200
    assert problem in text(response)
    survey_round.refresh_from_db()
    assert survey_round.closes_at == before


# --- invitees ----------------------------------------------------------------------------


def test_uploading_a_csv_adds_invitees(admin_client, survey_round):
    content = b"email,side,level\nana@example.org,IT,manager\nben@example.org,Security,\n"
    response = admin_client.post(
        url("invitees", survey_round), {"file": csv_file(content)}, follow=True
    )
    assert "Added 2 invitees." in follow_messages(response)
    assert Invitation.objects.filter(round=survey_round).count() == 2


def test_sides_and_levels_may_be_given_by_their_label_in_any_language(admin_client, survey_round):
    content = (
        "email;side;level;language\n"
        "dave@example.org;Sécurité;;Français\n"
        "eva@example.org;INFORMATIONSSICHERHEIT;Führungskraft;de\n"
        "flo@example.org;dsi;;fr\n"
        "gil@example.org;Seguridad;Mando intermedio;es\n"
        "hal@example.org;Otra;;\n"
    )
    response = admin_client.post(
        url("invitees", survey_round), {"file": csv_file(content.encode())}, follow=True
    )
    assert "Added 5 invitees." in follow_messages(response)
    stored = dict(Invitation.objects.filter(round=survey_round).values_list("email", "side"))
    assert stored == {
        "dave@example.org": "security",
        "eva@example.org": "security",
        "flo@example.org": "it",
        "gil@example.org": "security",
        "hal@example.org": "other",
    }
    levels = dict(Invitation.objects.filter(round=survey_round).values_list("email", "level"))
    assert levels["eva@example.org"] == "manager"
    assert levels["gil@example.org"] == "manager"


def test_an_unknown_side_label_names_the_line_and_the_sides(admin_client, survey_round):
    content = "email;side\ndave@example.org;Sécurit\n".encode()
    response = admin_client.post(url("invitees", survey_round), {"file": csv_file(content)})
    assert "Line 2: unknown side &#x27;Sécurit&#x27;; expected one of IT, Security, Other." in (
        text(response)
    )
    assert not Invitation.objects.exists()


def test_a_field_over_the_csv_limit_is_named_plainly(admin_client, survey_round):
    content = b'email,side\nana@example.org,"' + b"x" * 140_000 + b'"\n'
    response = admin_client.post(url("invitees", survey_round), {"file": csv_file(content)})
    body = text(response)
    assert "Line 2: a field is longer than 131,072 characters;" in body
    assert "field limit" not in body
    assert not Invitation.objects.exists()


def test_a_bad_csv_line_is_named_and_nothing_is_written(admin_client, survey_round):
    content = b"email,side\nana@example.org,IT\nbad-address,IT\nben@example.org,Marketing\n"
    response = admin_client.post(url("invitees", survey_round), {"file": csv_file(content)})

    assert response.status_code == 200
    body = text(response)
    assert "Nothing was added." in body
    assert "Line 3: &#x27;bad-address&#x27; is not a valid email address." in body
    assert "Line 4: unknown side &#x27;Marketing&#x27;" in body
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "Upload a CSV file or paste addresses."),
        ({"addresses": " ; , "}, "No address was given."),
        ({"file": b"\x00\xff\xfe garbage"}, "binary data"),
        ({"file": "email,name\nana@example.org,東京\n".encode("shift_jis")}, "not UTF-8 text"),
        ({"file": b"email\n"}, "no invitees"),
        ({"file": b"email\na@example.org\n", "name": "list.xlsx"}, "Upload a .csv file."),
        ({"file": b"email\na@example.org\n", "addresses": "b@example.org"}, "not both"),
    ],
)
def test_a_bad_invitee_list_shows_the_form_again(admin_client, survey_round, data, problem):
    post = dict(data)
    if "file" in post:
        post["file"] = csv_file(post["file"], post.pop("name", "invitees.csv"))
    response = admin_client.post(url("invitees", survey_round), post)

    assert response.status_code == 200
    assert problem in text(response)
    assert not Invitation.objects.exists()


def test_an_invitee_file_just_over_the_cap_is_refused_in_the_form(
    admin_client, survey_round, settings
):
    """Issue 18: the invitee file's cap is said in the form, which keeps the pasted text."""
    settings.FRICTION_INVITEE_MAX_BYTES = 1000
    content = b"email\n" + b"a@example.org\n" * 71
    content += b" " * (1001 - len(content))
    response = admin_client.post(
        url("invitees", survey_round),
        {"file": csv_file(content), "addresses": "kept@example.org"},
    )

    assert response.status_code == 200
    assert "This file is 1001 bytes; at most 1000 bytes can be uploaded here. Split it." in text(
        response
    )
    assert "kept@example.org</textarea>" in response.content.decode()
    assert not Invitation.objects.exists()

    response = admin_client.post(
        url("invitees", survey_round), {"file": csv_file(content[:1000])}, follow=True
    )
    assert "Added 1 invitee." in follow_messages(response)


def test_a_paste_beyond_the_request_limit_gets_a_page_that_says_so(
    admin_client, survey_round, settings
):
    """Issue 18: text fields past DATA_UPLOAD_MAX_MEMORY_SIZE answered Django's bare 400."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = admin_client.post(
        url("invitees", survey_round), {"addresses": "a@example.org\n" * 1000}
    )

    assert response.status_code == 413
    assert "more than 9.8 KB, so nothing was done" in text(response)
    assert not Invitation.objects.exists()


def test_the_request_limit_holds_the_largest_paste():
    assert MAX_PASTED_CHARS * 4 < django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_pasted_addresses_are_kept_when_one_is_wrong(admin_client, survey_round):
    typed = "ana@example.org\nben@@example.org"
    response = admin_client.post(url("invitees", survey_round), {"addresses": typed})

    assert "Line 2: &#x27;ben@@example.org&#x27; is not a valid email address." in text(response)
    assert "ana@example.org\nben@@example.org</textarea>" in response.content.decode()
    assert not Invitation.objects.exists()


def test_pasted_duplicates_are_counted(admin_client, survey_round):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    response = admin_client.post(
        url("invitees", survey_round),
        {"addresses": "ana@example.org; ben@example.org, BEN@example.org"},
        follow=True,
    )
    assert "Added 1 invitee. Skipped 2 duplicate addresses." in follow_messages(response)


# --- sending -----------------------------------------------------------------------------


def test_sending_needs_the_confirmation_box(admin_client, survey_round, mailoutbox):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    response = admin_client.post(url("send", survey_round), {})

    assert response.status_code == 200
    assert "Tick the box to confirm" in text(response)
    assert mailoutbox == []


def test_send_then_remind_from_the_page(client, admin_client, survey_round, mailoutbox):
    rows = [{"email": f"p{n}@example.org"} for n in range(3)]
    invitees_add(round=survey_round, rows=rows)
    page = text(admin_client.get(url("round", survey_round)))
    assert "Send 3 invitations" in page

    sent = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)

    assert "Sent 3 invitations." in follow_messages(sent)
    assert len(mailoutbox) == 3
    welcome = client.get(re.search(r"http://\S+?(/s/\S+/)", mailoutbox[0].body).group(1))
    assert welcome.status_code == 200

    same_day = admin_client.post(url("remind", survey_round), {"remind-confirm": "on"}, follow=True)
    assert "Reminded 0 invitees. 3 invitees were emailed today already" in follow_messages(same_day)
    Invitation.objects.update(last_sent_on=timezone.localdate() - dt.timedelta(days=1))
    Invitation.objects.filter(email="p0@example.org").update(used=True)
    assert "Remind 2 invitees" in text(admin_client.get(url("round", survey_round)))

    reminded = admin_client.post(url("remind", survey_round), {"remind-confirm": "on"}, follow=True)

    assert "Reminded 2 invitees." in follow_messages(reminded)
    assert sorted(message.to[0] for message in mailoutbox[3:]) == [
        "p1@example.org",
        "p2@example.org",
    ]


def test_a_closed_round_sends_nothing_from_the_page(admin_client, survey_round, mailoutbox):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    invitations_send(round=survey_round)
    Invitation.objects.update(last_sent_on=timezone.localdate() - dt.timedelta(days=1))
    admin_client.post(url("close", survey_round), {"confirm": "yes"})
    invitees_add(round=survey_round, rows=[{"email": "ben@example.org"}])

    sent = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)
    reminded = admin_client.post(url("remind", survey_round), {"remind-confirm": "on"}, follow=True)

    assert "The round is closed: no invitation was sent." in follow_messages(sent)
    assert "Reminders go out only while the round is open." in follow_messages(reminded)
    assert len(mailoutbox) == 1


def test_a_mail_server_failure_is_reported_not_a_500(
    admin_client, survey_round, mailoutbox, settings
):
    invitees_add(round=survey_round, rows=[{"email": "ana@example.org"}])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 2

    response = admin_client.post(url("send", survey_round), {"send-confirm": "on"}, follow=True)

    assert response.status_code == 200
    assert "Sending stopped after 0 email(s)" in follow_messages(response)
    assert Invitation.objects.get().last_sent_on is None


# --- email texts -------------------------------------------------------------------------


def test_the_email_page_shows_the_defaults_and_a_preview(admin_client, survey_round):
    page = admin_client.get(url("email", survey_round))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your invitation: {{ round_name }}" in body  # the default, ready to edit
    assert "Invitation: Your invitation: Spring 2026" in text(page)  # the preview


def test_a_body_without_the_link_is_refused(admin_client, survey_round):
    data = {
        "invitation_subject": "Please answer",
        "invitation_body": "Hello, please answer the survey.",
        "reminder_subject": "Reminder",
        "reminder_body": "Here: {{ link }}",
        "max_reminders": "1",
    }
    refused = admin_client.post(url("email", survey_round), data)

    assert refused.status_code == 200
    assert "must contain {{ link }}" in text(refused)
    assert "Hello, please answer the survey.</textarea>" in refused.content.decode()
    survey_round.refresh_from_db()
    assert survey_round.invitation_body == ""

    data["invitation_body"] = "Hello, please answer: {{ link }}"
    saved = admin_client.post(url("email", survey_round), data, follow=True)

    assert "The email texts are saved." in follow_messages(saved)
    survey_round.refresh_from_db()
    assert survey_round.invitation_body == "Hello, please answer: {{ link }}"
    assert survey_round.max_reminders == 1
    assert "Hello, please answer: http://" in text(saved)


def test_too_many_reminders_are_refused(admin_client, survey_round):
    data = {
        "invitation_subject": "s",
        "invitation_body": "{{ link }}",
        "reminder_subject": "s",
        "reminder_body": "{{ link }}",
        "max_reminders": "50",
    }
    response = admin_client.post(url("email", survey_round), data)
    assert response.status_code == 200
    assert "less than or equal to 10" in text(response)


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_the_invitee_form_names_every_column_as_the_header_must_spell_it(
    admin_client, survey_round, language
):
    """Found by a fresh-user trial: the French help translated the column names (a French
    header is refused) and left out the language column."""
    body = admin_client.get(url("round", survey_round), HTTP_ACCEPT_LANGUAGE=language)

    assert "email" in text(body)
    assert "side, function, level, language" in text(body)
