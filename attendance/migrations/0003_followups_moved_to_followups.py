"""The follow-up models leave attendance's state; followups 0001 (which depends on this one) takes them over.

State only: the tables `attendance_followupform`, `attendance_followupanswer` and
`attendance_followupreminder`, their rows, indexes, constraints and foreign keys stay as 0002 made
them. The dependency runs from followups to attendance, not back, so attendance names no higher
app even in its migrations. Answers and reminders go before the form they point at.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0002_followupform_followupanswer_followupreminder"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="FollowUpReminder"),
                migrations.DeleteModel(name="FollowUpAnswer"),
                migrations.DeleteModel(name="FollowUpForm"),
            ],
            database_operations=[],
        ),
    ]
