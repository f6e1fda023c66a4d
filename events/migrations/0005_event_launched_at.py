from django.db import migrations, models


class Migration(migrations.Migration):
    """When the event was launched, on the event itself (the board and the event pages show it). Filled for
    launches pressed before this field by attendance's migration 0006."""

    dependencies = [
        ("events", "0004_agendaitem_deleted_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="launched_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="launched at"),
        ),
    ]
