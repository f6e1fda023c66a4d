"""The follow-up models move here from attendance, keeping their tables `attendance_followup*`.

State only: the tables, their rows, indexes, the one-answer-per-school constraint and the foreign
keys stay as attendance 0002 created them; attendance 0003 dropped the models from attendance's state
just before (this migration depends on it). The content types are renamed too, so permissions
granted on these models and admin log entries follow them instead of staying on stale
`attendance.followup*` types.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import followups.models

MODELS = ("followupform", "followupanswer", "followupreminder")


def _rename_content_types(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new_label, model__in=MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old_label, model__in=[m for m in MODELS if m not in taken]).update(
        app_label=new_label)


def content_types_to_followups(apps, schema_editor):
    _rename_content_types(apps, "attendance", "followups")


def content_types_to_attendance(apps, schema_editor):
    _rename_content_types(apps, "followups", "attendance")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("attendance", "0003_followups_moved_to_followups"),
        ("bridges", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FollowUpForm',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=255, verbose_name='title')),
                        ('instructions', models.TextField(blank=True, verbose_name='instructions')),
                        ('deadline', models.DateTimeField(verbose_name='deadline')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followup_forms', to='events.event', verbose_name='event')),
                    ],
                    options={
                        'db_table': 'attendance_followupform',
                        'verbose_name': 'follow-up report form',
                        'verbose_name_plural': 'follow-up report forms',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpAnswer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('students_trained', models.PositiveIntegerField(verbose_name='students trained')),
                        ('classes_held', models.PositiveIntegerField(verbose_name='classes held')),
                        ('teachers_led', models.PositiveIntegerField(verbose_name='teachers who led them')),
                        ('school_students', models.PositiveIntegerField(blank=True, null=True, verbose_name='students at the school')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('attachment', models.FileField(blank=True, upload_to=followups.models.attachment_path, verbose_name='attachment')),
                        ('attachment_name', models.CharField(blank=True, max_length=200, verbose_name='attachment name')),
                        ('submitted_by', models.CharField(blank=True, max_length=120, verbose_name='filled in by')),
                        ('submitted_at', models.DateTimeField(verbose_name='first submitted')),
                        ('updated_at', models.DateTimeField(verbose_name='last changed')),
                        ('late', models.BooleanField(default=False, verbose_name='late')),
                        ('bridge', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='followup_answers', to='bridges.bridge', verbose_name='school')),
                        ('form', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='followups.followupform')),
                    ],
                    options={
                        'db_table': 'attendance_followupanswer',
                        'verbose_name': 'follow-up answer',
                        'verbose_name_plural': 'follow-up answers',
                        'ordering': ['form', 'bridge__path'],
                        'constraints': [models.UniqueConstraint(fields=('form', 'bridge'), name='followup_answer_once')],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('emailed', models.BooleanField(default=False)),
                        ('bridge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='bridges.bridge')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('form', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='followups.followupform')),
                    ],
                    options={
                        'db_table': 'attendance_followupreminder',
                        'ordering': ['-at'],
                        'indexes': [models.Index(fields=['form', 'bridge'], name='attendance__form_id_93a408_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_followups, content_types_to_attendance),
    ]
