"""PresenceEvent leaves events' state; video 0001 (which depends on this migration) takes it over.

State only: the table `events_presenceevent`, its rows, indexes and foreign keys stay as 0001 made
them. The dependency runs from video to events, not back, so events names no higher app even in its
migrations; nothing points at PresenceEvent, so no model needs it in the state between the two.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PresenceEvent")],
            database_operations=[],
        ),
    ]
