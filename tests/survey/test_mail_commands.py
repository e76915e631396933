"""Mail commands of issue 16: `add_invitees ROUND FILE.csv` (the round page's upload rules),
and the send commands beside a send job under way."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from survey.models import Invitation
from survey.services.sending import send_job_create
from tests.survey.mail import add, backdate

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("add_invitees", *args, stdout=out)
    return out.getvalue()


def test_adds_invitees_with_their_profile(survey_round, tmp_path):
    path = tmp_path / "invitees.csv"
    path.write_bytes(
        b"email;side;function;level\nAna@Example.org;IT;identity;Manager\nben@example.org;;;\n"
    )

    assert run("spring", str(path)) == "Added 2 invitees to round spring.\n"
    assert sorted(Invitation.objects.values_list("email", "side", "function", "level")) == [
        ("ana@example.org", "it", "identity", "manager"),
        ("ben@example.org", "", "", ""),
    ]
    assert "Skipped 2 duplicate" in run("spring", str(path))


def test_a_bad_line_is_named_and_nothing_is_added(survey_round, tmp_path):
    path = tmp_path / "invitees.csv"
    path.write_text("email,side\nok@example.org,it\nnot-an-address,it\nz@example.org,purple\n")

    with pytest.raises(CommandError) as error:
        run("spring", str(path))

    message = str(error.value)
    assert message.startswith("Nothing was added.")
    assert "Line 3: 'not-an-address' is not a valid email address." in message
    assert "Line 4: unknown side 'purple'" in message
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["no-such-round", "x.csv"], "Unknown round 'no-such-round'."),
        (["spring", "/no/such/file.csv"], "Cannot read /no/such/file.csv"),
    ],
)
def test_bad_arguments_get_a_clear_message(survey_round, args, problem):
    with pytest.raises(CommandError, match=problem):
        run(*args)


def test_a_file_without_an_email_column_is_refused(survey_round, tmp_path):
    path = tmp_path / "invitees.csv"
    path.write_text("name,side\nAna,it\n")
    with pytest.raises(CommandError, match="Line 1: no email column"):
        run("spring", str(path))


def test_the_send_commands_refuse_while_another_kind_of_send_is_under_way(survey_round):
    add(survey_round, "a@example.org", "b@example.org")
    call_command("send_invitations", "spring", stdout=StringIO())
    backdate(survey_round)
    add(survey_round, "c@example.org")
    send_job_create(round=survey_round, kind="invitation")  # queued, no worker yet

    with pytest.raises(CommandError, match="A send of invitations is under way"):
        call_command("send_reminders", "spring")


def test_each_invitee_gets_emails_in_their_language_else_the_rounds(
    survey_round, tmp_path, mailoutbox
):
    """Issue 17: the language column of the list, else the round's language, chooses the
    default invitation's words and the closing date's month name."""
    from django.utils import translation

    from survey.emails import DEFAULT_SUBJECTS, INVITATION

    survey_round.language = "de"
    survey_round.save()
    path = tmp_path / "invitees.csv"
    path.write_text(
        "email,language\nana@example.org,Français\nben@example.org,\ncy@example.org,es\n"
    )
    run("spring", str(path))
    assert dict(Invitation.objects.values_list("email", "language")) == {
        "ana@example.org": "fr",
        "ben@example.org": "",
        "cy@example.org": "es",
    }

    call_command("send_invitations", "spring", stdout=StringIO())

    subjects = {message.to[0]: message.subject for message in mailoutbox}
    for email, language in (("ana@", "fr"), ("ben@", "de"), ("cy@", "es")):
        with translation.override(language):
            template = str(DEFAULT_SUBJECTS[INVITATION])
        expected = " ".join(template.replace("{{ round_name }}", survey_round.name).split())
        assert not expected.startswith("Your invitation")
        assert subjects[f"{email}example.org"] == expected


def test_an_unknown_language_in_the_list_is_named(survey_round, tmp_path):
    path = tmp_path / "invitees.csv"
    path.write_text("email,language\nana@example.org,klingon\n")
    with pytest.raises(CommandError, match="Line 2: unknown language 'klingon'"):
        run("spring", str(path))
    assert not Invitation.objects.exists()
