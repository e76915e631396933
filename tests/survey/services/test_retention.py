"""Retention (issue 16): RETENTION_DAYS after a round closed its invitee addresses and audit
entries go, drafts when it closes, entries of no round RETENTION_DAYS after they were
written; the counts stay; one person's address can be erased on request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import Entry
from audit.services import entry_record
from survey.models import Draft, Invitation, SurveyRound
from survey.participation import round_participation as participation_shown
from survey.services.invitations import invitees_add
from survey.services.responses import invitation_save_profile
from survey.services.retention import expired_purge, invitee_erase
from tests.factories import SurveyRoundFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PROFILE = {"side": "it", "function": "identity", "level": "manager"}


def closed_round(small_instrument, slug: str, days_ago: float) -> SurveyRound:
    """A round closed ``days_ago`` days before NOW (negative: still open), with three
    invitees (one has completed, one has a draft) and an audit entry written at closing."""
    closes = NOW - dt.timedelta(days=days_ago)
    survey_round = SurveyRoundFactory(
        instrument=small_instrument,
        slug=slug,
        name=slug,
        opens_at=closes - dt.timedelta(days=30),
        closes_at=closes,
    )
    rows = [
        {"email": f"{name}@{slug}.example.org", "side": "it", "level": "manager"}
        for name in ("ana", "bo", "cy")
    ]
    invitees_add(round=survey_round, rows=rows)
    first, second, _third = Invitation.objects.filter(round=survey_round).order_by("pk")
    Invitation.objects.filter(pk=first.pk).update(used=True)
    SurveyRound.objects.filter(pk=survey_round.pk).update(closes_at=NOW + dt.timedelta(days=1))
    invitation_save_profile(invitation=second, **PROFILE)  # a draft, saved while it was open
    SurveyRound.objects.filter(pk=survey_round.pk).update(closes_at=closes)
    survey_round.refresh_from_db()
    entry = entry_record(action=Entry.Action.REPORT_VIEWED, by="ann", round=survey_round)
    Entry.objects.filter(pk=entry.pk).update(at=closes)
    return survey_round


def addresses(survey_round) -> list[str]:
    return sorted(Invitation.objects.filter(round=survey_round).values_list("email", flat=True))


@pytest.fixture
def rounds(small_instrument, settings):
    """Rounds closed 120 and 30 days ago and one still open; RETENTION_DAYS = 90."""
    settings.RETENTION_DAYS = 90
    return (
        closed_round(small_instrument, "old", 120),
        closed_round(small_instrument, "recent", 30),
        closed_round(small_instrument, "open", -10),
    )


def test_a_round_closed_past_retention_loses_addresses_drafts_and_entries(rounds):
    old, recent, still_open = rounds
    report = expired_purge(now=NOW)
    assert addresses(old) == ["", "", ""]
    assert addresses(recent) == [f"{n}@recent.example.org" for n in ("ana", "bo", "cy")]
    assert "" not in addresses(still_open)
    # Drafts go as soon as a round closes; the open round keeps its own.
    assert list(Draft.objects.values_list("round__slug", flat=True)) == ["open"]
    # The old round's entries older than 90 days go; the recent round's stay.
    assert not Entry.objects.filter(round=old, action=Entry.Action.REPORT_VIEWED).exists()
    assert Entry.objects.filter(round=recent, action=Entry.Action.REPORT_VIEWED).exists()
    assert (report.addresses, report.drafts, report.entries, report.rounds) == (3, 2, 1, 2)
    purged = Entry.objects.get(round=old, action=Entry.Action.EXPIRED_PURGED)
    assert purged.detail == {"drafts": 1, "addresses": 3, "entries": 1}


def test_the_counts_are_the_same_after_the_purge(rounds):
    old = rounds[0]
    before = participation_shown(round=old)
    expired_purge(now=NOW)
    assert participation_shown(round=old) == before
    assert Invitation.objects.filter(round=old).count() == 3
    assert Invitation.objects.filter(round=old, used=True).count() == 1


def test_a_dry_run_counts_and_changes_nothing(rounds):
    old = rounds[0]
    entries_before = Entry.objects.count()
    report = expired_purge(now=NOW, dry_run=True)
    assert (report.addresses, report.drafts, report.entries, report.dry_run) == (3, 2, 1, True)
    assert "" not in addresses(old)
    assert Draft.objects.count() == 3
    assert Entry.objects.count() == entries_before


def test_the_purge_again_removes_nothing_more(rounds):
    expired_purge(now=NOW)
    again = expired_purge(now=NOW)
    assert (again.addresses, again.drafts, again.entries, again.rounds) == (0, 0, 0, 0)


def test_recent_entries_of_an_old_round_stay_until_they_age(rounds):
    """A leader who opens an old round's dashboard today is recorded for 90 days more."""
    old = rounds[0]
    today = entry_record(action=Entry.Action.REPORT_VIEWED, by="ann", round=old)
    expired_purge(now=NOW)
    assert Entry.objects.filter(pk=today.pk).exists()
    expired_purge(now=NOW + dt.timedelta(days=91))
    assert not Entry.objects.filter(pk=today.pk).exists()


def test_entries_of_no_round_go_after_retention_from_when_they_were_written(rounds):
    old_sign_in = entry_record(action=Entry.Action.SIGNED_IN, by="ann")
    Entry.objects.filter(pk=old_sign_in.pk).update(at=NOW - dt.timedelta(days=91))
    new_sign_in = entry_record(action=Entry.Action.SIGN_IN_FAILED, by="bob")
    expired_purge(now=NOW)
    assert not Entry.objects.filter(pk=old_sign_in.pk).exists()
    assert Entry.objects.filter(pk=new_sign_in.pk).exists()


def test_the_retention_follows_the_setting(rounds, settings):
    settings.RETENTION_DAYS = 20
    report = expired_purge(now=NOW)
    assert report.days == 20
    assert addresses(rounds[1]) == ["", "", ""]


def test_a_reopened_round_keeps_its_addresses(rounds):
    old = rounds[0]
    SurveyRound.objects.filter(pk=old.pk).update(closes_at=NOW + dt.timedelta(days=5))
    expired_purge(now=NOW)
    assert "" not in addresses(old)


def test_erasing_an_address_keeps_the_invitation_and_records_no_address(rounds, admin_user):
    old, recent, _still_open = rounds
    invitees_add(round=recent, rows=[{"email": "Ana@Old.example.org"}])
    assert invitee_erase(email="ANA@old.example.org", by=admin_user) == 2
    assert "ana@old.example.org" not in addresses(old) + addresses(recent)
    assert Invitation.objects.filter(round=old).count() == 3
    assert Invitation.objects.filter(round=old, used=True).count() == 1
    erased = Entry.objects.filter(action=Entry.Action.ADDRESSES_ERASED).order_by("round_id")
    assert [(e.round, e.detail, e.actor) for e in erased] == [
        (old, {"addresses": 1}, admin_user),
        (recent, {"addresses": 1}, admin_user),
    ]
    assert "ana" not in str(list(erased.values()))


def test_erasing_in_one_round_leaves_the_others(rounds):
    old, recent, _still_open = rounds
    invitees_add(round=recent, rows=[{"email": "ana@old.example.org"}])
    assert invitee_erase(email="ana@old.example.org", round=recent) == 1
    assert "ana@old.example.org" in addresses(old)
    assert invitee_erase(email="nobody@example.org") == 0
    with pytest.raises(ValueError, match="address"):
        invitee_erase(email="  ")
