"""PresenceEvent moves here from events, keeping its table `events_presenceevent`.

State only: the table, its rows, indexes and foreign keys stay as events 0001 created them;
events 0002 dropped the model from events' state just before (this migration depends on it). The
content type is renamed too, so permissions granted on presence events and admin log entries
follow the model instead of being left on a stale `events.presenceevent` type.
"""

import django.db.models.deletion
from django.db import migrations, models


def _rename_content_type(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new_label, model="presenceevent").exists():
        return
    ContentType.objects.filter(app_label=old_label, model="presenceevent").update(app_label=new_label)


def content_type_to_video(apps, schema_editor):
    _rename_content_type(apps, "events", "video")


def content_type_to_events(apps, schema_editor):
    _rename_content_type(apps, "video", "events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("bridges", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0002_presenceevent_moved_to_video"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PresenceEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("dedupe_key", models.CharField(max_length=64, unique=True)),
                        ("kind", models.CharField(choices=[("room_created", "room created"),
                                                           ("room_destroyed", "room destroyed"),
                                                           ("occupant_joined", "occupant joined"),
                                                           ("occupant_left", "occupant left")], max_length=20)),
                        ("room_name", models.CharField(db_index=True, max_length=200)),
                        ("occupant_id", models.CharField(blank=True, max_length=200)),
                        ("occurred_at", models.DateTimeField(db_index=True)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        ("payload", models.JSONField(default=dict)),
                        ("bridge", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.SET_NULL,
                                                     related_name="presence", to="bridges.bridge")),
                        ("event", models.ForeignKey(blank=True, null=True,
                                                    on_delete=django.db.models.deletion.CASCADE,
                                                    related_name="presence", to="events.event")),
                    ],
                    options={
                        "verbose_name": "presence event",
                        "verbose_name_plural": "presence events",
                        "db_table": "events_presenceevent",
                        "ordering": ["occurred_at", "id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_video, content_type_to_events),
    ]
