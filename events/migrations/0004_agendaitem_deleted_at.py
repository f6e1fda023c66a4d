from django.db import migrations, models


class Migration(migrations.Migration):
    """A deleted agenda item is kept, hidden, so that deleting can be undone for a few minutes."""

    dependencies = [
        ("events", "0003_invitation_letter"),
    ]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="deleted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="deleted at"),
        ),
    ]
