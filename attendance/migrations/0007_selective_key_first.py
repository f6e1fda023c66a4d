"""The two unique indexes a check-in batch reads by lead with their selective column (the nonce, the person):
led by the scope or the roll call, PostgreSQL scanned every row of the roll call for each batch while its
statistics lagged behind a filling table (issue 13). Dropped and created again in the migration's
transaction: no moment without the constraint."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0006_event_launched_at_from_launch'),
        ('bridges', '0002_default_tiers'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='checkin',
            name='checkin_once_per_roll_call',
        ),
        migrations.RemoveConstraint(
            model_name='clientnonce',
            name='client_nonce_once',
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.UniqueConstraint(fields=('person', 'roll_call'), name='checkin_once_per_roll_call'),
        ),
        migrations.AddConstraint(
            model_name='clientnonce',
            constraint=models.UniqueConstraint(fields=('nonce', 'scope'), name='client_nonce_once'),
        ),
    ]
