from django.db import migrations


def copy_launch_moments(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Launch = apps.get_model("attendance", "Launch")
    for event_id, at in Launch.objects.values_list("event_id", "at"):
        Event.objects.filter(pk=event_id, launched_at__isnull=True).update(launched_at=at)


class Migration(migrations.Migration):
    """Events launched before Event.launched_at existed get their launch moment from their Launch row."""

    dependencies = [
        ("attendance", "0005_evidence_protected"),
        ("events", "0005_event_launched_at"),
    ]

    operations = [
        migrations.RunPython(copy_launch_moments, migrations.RunPython.noop),
    ]
