"""The usual tiers of a province, so a fresh install can import its host and district halls at once.

Without tiers the bridge importer refuses every file and the only way to add them was the Django admin.
The codes are the ones the importer's examples and the demo use; labels are data an admin may rename later.
Only an empty Tier table is filled: a database whose tiers were already set up (relabelled, other codes)
is left as it is.
"""

from django.db import migrations

# Vietnamese labels on purpose: tier labels are stored data shown as typed, not interface strings.
DEFAULT_TIERS = (
    ("host", "Điểm cầu chính", "host", 0),
    ("district", "Huyện", "intermediate", 1),
    ("school", "Trường", "school", 2),
)


def create_default_tiers(apps, schema_editor):
    Tier = apps.get_model("bridges", "Tier")
    manager = Tier.objects.db_manager(schema_editor.connection.alias)
    if manager.exists():
        return
    manager.bulk_create([Tier(code=code, label=label, role=role, order=order)
                         for code, label, role, order in DEFAULT_TIERS])


class Migration(migrations.Migration):

    dependencies = [
        ("bridges", "0001_initial"),
    ]

    operations = [
        # Reverse is a no-op: the rows may carry bridges by then, and an admin may have renamed them.
        migrations.RunPython(create_default_tiers, migrations.RunPython.noop),
    ]
