"""The retention commands and task (issue 16): purge_expired (and its old name
purge_drafts), erase_invitee, and the Celery task retention.purge_expired."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import Entry
from survey.models import Invitation
from survey.tasks import purge_expired
from tests.survey.services.test_retention import closed_round

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def old_round(small_instrument, settings):
    settings.RETENTION_DAYS = 90
    return closed_round(small_instrument, "old", 100)


def test_purge_expired_says_what_it_removed(old_round):
    output = run("purge_expired")
    assert "Emptied 1 unsubmitted draft of closed rounds." in output
    assert "Removed 3 invitee addresses of rounds closed more than 90 days ago" in output
    assert "Deleted 1 audit entry older than 90 days" in output
    assert set(Invitation.objects.values_list("email", flat=True)) == {""}
    purged = Entry.objects.get(action=Entry.Action.EXPIRED_PURGED)
    assert purged.actor_name == f"command line ({getpass.getuser()})"


def test_purge_expired_dry_run_prints_counts_and_changes_nothing(old_round):
    output = run("purge_expired", "--dry-run")
    assert output.splitlines()[0] == "Dry run: nothing was changed."
    assert "Would remove 3 invitee addresses" in output
    assert "Would empty 1 unsubmitted draft" in output
    assert "" not in set(Invitation.objects.values_list("email", flat=True))


def test_purge_drafts_is_another_name_for_purge_expired(old_round):
    assert "Removed 3 invitee addresses" in run("purge_drafts")


def test_the_task_runs_the_same_purge(old_round):
    assert purge_expired.name == "retention.purge_expired"
    result = purge_expired.apply().get()
    assert (result["addresses"], result["drafts"], result["dry_run"]) == (3, 1, False)
    purged = Entry.objects.get(action=Entry.Action.EXPIRED_PURGED)
    assert purged.actor_name == "scheduled task"


def test_erase_invitee_across_rounds_and_in_one(old_round, small_instrument):
    other = closed_round(small_instrument, "other", 10)
    Invitation.objects.filter(round=other, email="ana@other.example.org").update(
        email="ana@old.example.org"
    )
    output = run("erase_invitee", "ana@old.example.org", "--round", "other")
    assert "Erased the address from 1 invitation of round other" in output
    assert "ana@old.example.org" not in output
    assert Invitation.objects.filter(email="ana@old.example.org").count() == 1
    assert "from 1 invitation of any round" in run("erase_invitee", "Ana@Old.example.org")
    assert not Invitation.objects.filter(email="ana@old.example.org").exists()
    assert "nothing changed" in run("erase_invitee", "ana@old.example.org")
    erased = Entry.objects.filter(action=Entry.Action.ADDRESSES_ERASED)
    assert erased.count() == 2
    assert "ana" not in str(list(erased.values()))


def test_erase_invitee_refuses_an_unknown_round_and_an_empty_address(old_round):
    with pytest.raises(CommandError, match="Unknown round"):
        run("erase_invitee", "ana@old.example.org", "--round", "nope")
    with pytest.raises(CommandError, match="address"):
        run("erase_invitee", " ")
