"""Set `about` on the mirror pairs of instrument it-security-collaboration version 1 as loaded.

Version 1's file gained `about` keys with version 2 (whose behaviour each mirror statement
describes). Loaded copies, possibly with answers, would otherwise differ from the file, and an
answered version refuses any change; this sets the same values, so reloading changes nothing.
"""

from django.db import migrations

V1_ABOUT = {
    "sc4": "security",
    "sc5": "it",
    "ei1": "it",
    "ei2": "security",
    "so2": "security",
    "so3": "it",
    "ct1": "it",
    "ct2": "security",
    "ir4": "it",
    "ir5": "security",
}


def v1_about_set(apps, schema_editor):
    Item = apps.get_model("assessment", "Item")
    items = list(
        Item.objects.filter(
            dimension__instrument__slug="it-security-collaboration",
            dimension__instrument__version="1",
            code__in=V1_ABOUT,
            mirror_of__isnull=False,
            about="",
        )
    )
    for item in items:
        item.about = V1_ABOUT[item.code]
    Item.objects.bulk_update(items, ["about"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_instrument_v2"),
    ]

    operations = [
        migrations.RunPython(v1_about_set, migrations.RunPython.noop),
    ]
