# Evidence is never deleted by cascade (issue 15, core.deletion): state-only changes, no SQL.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0004_teacher_checkin_integrity'),
        ('events', '0002_presenceevent_moved_to_video'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='connectioninterval',
            options={'ordering': ['started_at'], 'verbose_name': 'connection interval', 'verbose_name_plural': 'connection intervals'},
        ),
        migrations.AlterField(
            model_name='bridgecheckin',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bridge_checkins', to='events.event'),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='roll_call',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='attendance.rollcall'),
        ),
        migrations.AlterField(
            model_name='checkinattempt',
            name='roll_call',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='attendance.rollcall'),
        ),
        migrations.AlterField(
            model_name='connectioninterval',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='connection_intervals', to='events.event'),
        ),
    ]
