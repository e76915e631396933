"""Who imported, replaced or deleted responses: the admin's import, the import_responses
command and the admin's deletion of an imported file each record one entry with the file's
name and how many responses came or went; a dry run (the admin's preview) records nothing."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import Entry
from survey.admin_views import SESSION_KEY
from survey.models import ImportBatch, Response
from survey.services.imports import responses_import
from tests.audit.conftest import entries
from tests.survey.test_admin_views import GOOD, confirm_url, post_file

pytestmark = pytest.mark.django_db

THREE = GOOD + b"it,,5,,\n"


def test_the_admin_import_records_who_imported_how_many(admin_client, admin_user, survey_round):
    post_file(admin_client, survey_round, GOOD)
    assert not entries(Entry.Action.RESPONSES_IMPORTED).exists()  # the preview writes nothing
    token = admin_client.session[SESSION_KEY]["token"]
    admin_client.post(confirm_url(survey_round), {"token": token})
    (entry,) = entries(Entry.Action.RESPONSES_IMPORTED)
    assert (entry.actor, entry.round, entry.subject) == (admin_user, survey_round, "wave.csv")
    assert entry.detail["responses"] == 2
    assert entry.summary().startswith("wave.csv; responses: 2; sha256: ")


def test_the_command_records_the_os_user_and_a_replacement(survey_round, tmp_path):
    path = tmp_path / "wave.csv"
    path.write_bytes(GOOD)
    call_command("import_responses", survey_round.slug, str(path), stdout=io.StringIO())
    path.write_bytes(THREE)
    call_command(
        "import_responses", survey_round.slug, str(path), dry_run=True, stdout=io.StringIO()
    )
    call_command(
        "import_responses", survey_round.slug, str(path), replace=True, stdout=io.StringIO()
    )
    imported, replaced = entries(round=survey_round)
    assert imported.action == Entry.Action.RESPONSES_IMPORTED
    assert replaced.action == Entry.Action.RESPONSES_REPLACED
    assert {imported.actor_name, replaced.actor_name} == {f"command line ({getpass.getuser()})"}
    assert replaced.detail["responses"] == 3
    assert (replaced.detail["replaced"], replaced.detail["replaced_files"]) == (2, ["wave.csv"])


def test_a_refused_import_records_nothing(survey_round):
    responses_import(round=survey_round, file=GOOD, filename="wave.csv")
    with pytest.raises(Exception, match="already imported"):
        responses_import(round=survey_round, file=GOOD, filename="again.csv")
    assert entries(round=survey_round).count() == 1


def test_deleting_an_imported_file_in_the_admin_deletes_its_responses_and_records_it(
    admin_client, admin_user, survey_round
):
    """Found while recording deletions: the admin refused to delete any import with
    responses (it asked for a permission to delete responses one by one, which nobody has)."""
    responses_import(round=survey_round, file=GOOD, filename="wave.csv")
    batch = ImportBatch.objects.get()
    url = reverse("admin:survey_importbatch_delete", args=[batch.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "2" in confirm.content.decode()  # responses that go with it
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Response.objects.filter(round=survey_round).exists()
    (entry,) = entries(Entry.Action.RESPONSES_DELETED)
    assert (entry.actor, entry.round, entry.subject) == (admin_user, survey_round, "wave.csv")
    assert entry.detail == {"responses": 2}


def test_the_admin_delete_action_records_each_file(admin_client, survey_round):
    responses_import(round=survey_round, file=GOOD, filename="one.csv")
    responses_import(round=survey_round, file=THREE, filename="two.csv")
    changelist = reverse("admin:survey_importbatch_changelist")
    admin_client.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": list(ImportBatch.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert not ImportBatch.objects.exists()
    deleted = entries(Entry.Action.RESPONSES_DELETED)
    assert sorted((e.subject, e.detail["responses"]) for e in deleted) == [
        ("one.csv", 2),
        ("two.csv", 3),
    ]
