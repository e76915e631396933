"""Response.likert_answers: each response's Likert answers in one column, filled for the
responses that exist already (docs/performance.md, responses.csv)."""

from django.db import migrations, models

# Responses filled per read of their answers and bulk update; bounds memory.
CHUNK = 2_000


def likert_answers_fill(apps, schema_editor):
    """Copy every response's Likert answers into likert_answers: one value (or None) per
    Likert item of its round's instrument, in instrument order. Round by round, CHUNK
    responses at a time (one read of their answers, one bulk update)."""
    SurveyRound = apps.get_model("survey", "SurveyRound")
    Response = apps.get_model("survey", "Response")
    Answer = apps.get_model("survey", "Answer")
    Item = apps.get_model("assessment", "Item")
    for round_id, instrument_id in SurveyRound.objects.values_list("pk", "instrument_id"):
        position = {
            pk: index
            for index, pk in enumerate(
                Item.objects.filter(dimension__instrument_id=instrument_id, kind="likert")
                .order_by("dimension__order", "dimension_id", "order", "pk")
                .values_list("pk", flat=True)
            )
        }
        ids = list(
            Response.objects.filter(round_id=round_id).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            values = {pk: [None] * len(position) for pk in chunk}
            rows = (
                Answer.objects.filter(response_id__in=chunk, value__isnull=False)
                .order_by()
                .values_list("response_id", "item_id", "value")
            )
            for response_id, item_id, value in rows:
                if item_id in position:
                    values[response_id][position[item_id]] = int(value)
            Response.objects.bulk_update(
                [Response(pk=pk, likert_answers=answers) for pk, answers in values.items()],
                ["likert_answers"],
                batch_size=500,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("survey", "0005_round_profile_attributes"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="likert_answers",
            field=models.JSONField(
                blank=True,
                default=list,
                editable=False,
                help_text=(
                    "The raw Likert values (1..k, null = not answered), one per Likert item of "
                    "the instrument in instrument order; empty when none was answered."
                ),
            ),
        ),
        migrations.RunPython(likert_answers_fill, migrations.RunPython.noop, elidable=True),
    ]
