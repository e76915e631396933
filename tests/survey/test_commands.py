"""Tests of the survey commands: create_round, create_invitations, send_invitations,
send_reminders and seed_demo."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessment.models import Instrument
from survey.models import Answer, Invitation, Response, SurveyRound
from survey.services.demo import DEMO_SLUG
from survey.services.rounds import round_close
from survey.tokens import token_hash
from tests.factories import InstrumentFactory, ResponseFactory, SurveyRoundFactory
from tests.survey.mail import add, backdate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- create_round --------------------------------------------------------------------------


def test_create_round_prints_only_the_slug(small_instrument):
    output = run("create_round", "--instrument", "small", "--name", "Spring 2026")
    assert output == "spring-2026\n"
    survey_round = SurveyRound.objects.get(slug="spring-2026")
    assert survey_round.instrument == small_instrument
    assert survey_round.timezone == "UTC"
    assert survey_round.min_group_size == 5


def test_create_round_reads_dates_without_offset_in_the_timezone(small_instrument):
    output = run(
        "create_round",
        "--instrument=small",
        "--name=Autumn",
        "--slug=autumn",
        "--opens=2026-10-01T09:00",
        "--closes=2026-10-31",
        "--timezone=Europe/Berlin",
        "--min-group-size=7",
    )
    assert output.strip() == "autumn"
    survey_round = SurveyRound.objects.get(slug="autumn")
    assert survey_round.opens_at == dt.datetime(2026, 10, 1, 7, 0, tzinfo=dt.UTC)
    assert survey_round.closes_at == dt.datetime(2026, 10, 30, 23, 0, tzinfo=dt.UTC)
    assert survey_round.timezone == "Europe/Berlin"
    assert survey_round.min_group_size == 7


def test_create_round_keeps_an_explicit_offset(small_instrument):
    run(
        "create_round",
        "--instrument=small",
        "--name=A",
        "--opens=2026-10-01T09:00+00:00",
        "--timezone=Asia/Tokyo",
    )
    assert SurveyRound.objects.get().opens_at == dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)


def test_create_round_picks_the_latest_loaded_version(small_instrument):
    newer = InstrumentFactory(slug="small", version="2")
    older = InstrumentFactory(slug="small", version="0.9")
    Instrument.objects.filter(pk=older.pk).update(loaded_at=timezone.now() - dt.timedelta(days=9))
    Instrument.objects.filter(pk=small_instrument.pk).update(
        loaded_at=timezone.now() - dt.timedelta(days=5)
    )
    slug = run("create_round", "--instrument=small", "--name=Latest").strip()
    assert SurveyRound.objects.get(slug=slug).instrument == newer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--instrument=nope", "--name=A"], "Unknown instrument 'nope'"),
        (["--instrument=small", "--name=A", "--opens=tomorrow"], "--opens"),
        (["--instrument=small", "--name=A", "--closes=2026-13-01"], "--closes"),
        (["--instrument=small", "--name=A", "--timezone=Mars/Base"], "Unknown time zone"),
        (["--instrument=small", "--name=A", "--min-group-size=2"], "at least 3"),
        (
            ["--instrument=small", "--name=A", "--opens=2026-05-02", "--closes=2026-05-01"],
            "close after it opens",
        ),
        (["--instrument=small", "--name=A", "--slug=bad slug"], "slug"),
    ],
)
def test_create_round_rejects_bad_input_with_a_clear_message(small_instrument, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_round", *args)
    assert not SurveyRound.objects.exists()


@pytest.mark.parametrize("option", ["--opens", "--closes"])
def test_create_round_refuses_a_local_time_the_clocks_skip(small_instrument, option):
    """02:30 on 29 March 2026 does not exist in Paris (clocks go from 02:00 to 03:00): the
    command used to attach the zone itself, storing 01:30 UTC instead of refusing it."""
    dates = {"--opens": "2026-03-01T09:00", "--closes": "2026-04-30T18:00"}
    dates[option] = "2026-03-29T02:30"
    with pytest.raises(
        CommandError,
        match=rf"^{option}: 2026-03-29 02:30 does not exist in Europe/Paris: the clocks skip it",
    ):
        run(
            "create_round",
            "--instrument=small",
            "--name=Spring",
            "--timezone=Europe/Paris",
            *(f"{name}={value}" for name, value in dates.items()),
        )
    assert not SurveyRound.objects.exists()


def test_create_round_refuses_a_local_time_that_happens_twice(small_instrument):
    """02:30 on 25 October 2026 happens twice in Paris; the command used to pick the first
    silently while the admin refused it (trial finding): one rule now."""
    with pytest.raises(CommandError, match=r"^--opens: 2026-10-25 02:30 happens twice"):
        run(
            "create_round",
            "--instrument=small",
            "--name=Autumn",
            "--timezone=Europe/Paris",
            "--opens=2026-10-25T02:30",
        )
    assert not SurveyRound.objects.exists()


def test_create_round_keeps_an_offset_given_in_a_gap(small_instrument):
    """With an explicit offset the time is not a wall clock: nothing is skipped."""
    run(
        "create_round",
        "--instrument=small",
        "--name=Spring",
        "--timezone=Europe/Paris",
        "--opens=2026-03-29T02:30+01:00",
    )
    assert SurveyRound.objects.get().opens_at == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)


# --- create_invitations --------------------------------------------------------------------


def test_create_invitations_prints_one_absolute_link_per_line(survey_round, settings, client):
    settings.SURVEY_BASE_URL = "https://survey.example.org"
    lines = run("create_invitations", "spring", "--count", "3").splitlines()
    assert len(lines) == 3
    assert len(set(lines)) == 3
    for line in lines:
        assert line.startswith("https://survey.example.org/s/")
        token = line.removeprefix("https://survey.example.org/s/").removesuffix("/")
        assert Invitation.objects.filter(round=survey_round, token_hash=token_hash(token)).exists()
        assert client.get(line.removeprefix("https://survey.example.org")).status_code == 200


def test_create_invitations_prefills_the_side(survey_round):
    run("create_invitations", "spring", "--count=2", "--side=security")
    assert list(Invitation.objects.values_list("side", flat=True)) == ["security", "security"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--count=1"], "Unknown round 'nope'"),
        (["spring", "--count=0"], "--count"),
        (["spring", "--count=10001"], "--count"),
        (["spring", "--count=2", "--side=marketing"], "Unknown --side"),
    ],
)
def test_create_invitations_rejects_bad_input(survey_round, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_invitations", *args)
    assert not Invitation.objects.exists()


def test_create_invitations_warns_when_the_round_has_closed(survey_round):
    survey_round.opens_at = timezone.now() - dt.timedelta(days=30)
    survey_round.closes_at = timezone.now() - dt.timedelta(days=1)
    survey_round.save()
    out, err = StringIO(), StringIO()
    call_command("create_invitations", survey_round.slug, "--count", "1", stdout=out, stderr=err)
    assert "closed on" in err.getvalue()
    assert out.getvalue().count("/s/") == 1


def test_create_invitations_says_which_base_url_it_used(survey_round, settings):
    """Run as the docs show while `PORT=8080 make run` served, the links said port 8000
    with no word why: the base URL and how to change it are now said (on stderr, so a file
    of links stays one link per line)."""
    settings.SURVEY_BASE_URL = "http://127.0.0.1:8000"
    out, err = StringIO(), StringIO()
    call_command("create_invitations", survey_round.slug, "--count", "2", stdout=out, stderr=err)
    assert "http://127.0.0.1:8000 (the SURVEY_BASE_URL setting)" in err.getvalue()
    assert "SURVEY_BASE_URL=http://127.0.0.1:8080" in err.getvalue()
    assert all(line.startswith("http://127.0.0.1:8000/s/") for line in out.getvalue().split())


# --- send_invitations and send_reminders -------------------------------------------------


def test_the_commands_send_invitations_then_reminders(survey_round, mailoutbox, capsys):
    add(survey_round, "ana@example.org", "ben@example.org")

    call_command("send_invitations", "spring")
    assert "Sent 2 invitations for round spring." in capsys.readouterr().out
    backdate(survey_round)
    call_command("send_reminders", "spring")
    assert "Reminded 2 invitees for round spring." in capsys.readouterr().out
    assert len(mailoutbox) == 4


def test_the_commands_refuse_an_unknown_or_closed_round(survey_round, mailoutbox):
    with pytest.raises(CommandError, match="Unknown round 'nope'"):
        call_command("send_invitations", "nope")
    round_close(round=survey_round)
    with pytest.raises(CommandError, match="closed"):
        call_command("send_invitations", "spring")
    with pytest.raises(CommandError, match="not open"):
        call_command("send_reminders", "spring")


def test_the_command_reports_a_mail_server_failure(survey_round, mailoutbox, mail_fails_after):
    add(survey_round, "a@example.org", "b@example.org", "c@example.org")
    mail_fails_after(2)
    with pytest.raises(CommandError, match="Sending stopped after 2 email"):
        call_command("send_invitations", "spring")


# --- seed_demo ----------------------------------------------------------------------------


def demo_rows() -> list[tuple]:
    """Every demo response's round, profile, Likert answers and comments, in creation order."""
    comments = {}
    for response_id, code, text in Answer.objects.exclude(text="").values_list(
        "response_id", "item__code", "text"
    ):
        comments.setdefault(response_id, {})[code] = text
    return [
        (*row[1:], comments.get(row[0], {}))
        for row in Response.objects.order_by("pk").values_list(
            "pk", "round__slug", "side", "function", "level", "attributes", "likert_answers"
        )
    ]


def test_seed_demo_twice_adds_nothing_and_reset_replaces_the_demo():
    call_command("load_instrument", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    before = demo_rows()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "not seeded again" in out.getvalue()
    assert SurveyRound.objects.count() == 2
    assert Response.objects.count() == 560

    call_command("seed_demo", "--reset", stdout=StringIO())
    after = demo_rows()
    assert after == before  # new rows, the same answers: the seed is fixed


def test_seed_demo_leaves_an_older_demo_alone_and_says_how_to_replace_it():
    call_command("load_instrument", stdout=StringIO())
    ResponseFactory(round=SurveyRoundFactory(slug=DEMO_SLUG))
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "seed_demo --reset" in out.getvalue()
    assert Response.objects.count() == 1
    call_command("seed_demo", "--reset", stdout=StringIO())
    assert Response.objects.count() == 560
