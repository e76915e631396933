# Drafts move off the invitation row into their own table, encrypted under an opaque handle
# (survey.drafts); unsubmitted drafts of open rounds are carried over, those of used
# invitations or closed rounds are dropped.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def move_drafts(apps, schema_editor):
    from survey.drafts import draft_handle, draft_seal, draft_secret

    Invitation = apps.get_model("survey", "Invitation")
    Draft = apps.get_model("survey", "Draft")
    secret = draft_secret(settings.SECRET_KEY)
    now = timezone.now()
    rows = []
    for pk, round_id, draft, closes_at in (
        Invitation.objects.filter(used=False)
        .exclude(draft={})
        .values_list("pk", "round_id", "draft", "round__closes_at")
        .iterator()
    ):
        if not draft or (closes_at is not None and closes_at <= now):
            continue
        handle = draft_handle(pk, secret=secret)
        rows.append(
            Draft(round_id=round_id, handle=handle, sealed=draft_seal(draft, handle=handle, secret=secret))
        )
    Draft.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('survey', '0007_round_changes'),
    ]

    operations = [
        migrations.CreateModel(
            name='Draft',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('handle', models.CharField(max_length=64, unique=True)),
                ('sealed', models.TextField()),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='drafts', to='survey.surveyround')),
            ],
        ),
        migrations.RunPython(move_drafts, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='invitation',
            name='draft',
        ),
    ]
