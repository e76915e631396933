# Issue 16: the changes of a round's k and dates (issue 13's RoundChange) move into the audit
# trail (audit.Entry, action "round_changed"), which records them from now on.

from django.db import migrations


def changes_to_entries(apps, schema_editor):
    RoundChange = apps.get_model("survey", "RoundChange")
    Entry = apps.get_model("audit", "Entry")
    Entry.objects.bulk_create(
        Entry(
            at=change.changed_at,
            action="round_changed",
            actor_id=change.changed_by_id,
            actor_name=change.changed_by_name,
            round_id=change.round_id,
            round_name=change.round.name,
            subject=change.field,
            detail={"from": change.old_value, "to": change.new_value},
        )
        for change in RoundChange.objects.select_related("round").iterator()
    )


def entries_to_changes(apps, schema_editor):
    RoundChange = apps.get_model("survey", "RoundChange")
    Entry = apps.get_model("audit", "Entry")
    fields = {"min_group_size", "opens_at", "closes_at"}
    moved = Entry.objects.filter(action="round_changed", round__isnull=False, subject__in=fields)
    RoundChange.objects.bulk_create(
        RoundChange(
            round_id=entry.round_id,
            field=entry.subject,
            old_value=str(entry.detail.get("from", ""))[:40],
            new_value=str(entry.detail.get("to", ""))[:40],
            changed_by_id=entry.actor_id,
            changed_by_name=entry.actor_name,
            changed_at=entry.at,
        )
        for entry in moved.iterator()
    )
    moved.delete()  # migrating forward again must not record them twice


class Migration(migrations.Migration):

    dependencies = [
        ("survey", "0011_answer_dont_know_defaults"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(changes_to_entries, entries_to_changes),
        migrations.DeleteModel(name="RoundChange"),
    ]
