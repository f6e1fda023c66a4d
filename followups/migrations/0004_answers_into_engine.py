"""Existing follow-up answers move into the report engine (issue 16): each follow-up form gets a report form
copied from the shipped "replication results" template and a round (the event's invitees, the form's deadline,
closed when it was), and each old answer becomes that round's submitted answer with one submission, keeping
who typed it, when it was first sent and last changed, whether it was late, and its attachment (the same
stored file, now a ReportAttachment named in the answer's values); the reminders sent become the round's.

The old rows stay where they were (FollowUpAnswer and FollowUpReminder are read-only from here on). Reverse: the links and the
engine rows of the linked rounds are deleted; the old rows, never touched, are what they were before (answers
sent through the engine since are not copied back).
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation

# The old columns and the replication template's keys (schoolreports.catalogue.replication), frozen here.
FIELDS = {"students_trained": "hs_duoc_tap_huan", "classes_held": "so_lop", "teachers_led": "gv_huong_dan",
          "school_students": "so_hs_truong", "notes": "ghi_chu"}
ATTACHMENT_KEY = "tai_lieu"
TEMPLATE = "replication"


def _definition():
    from schoolreports import catalogue

    with translation.override(settings.LANGUAGE_CODE):
        return catalogue.template(TEMPLATE)[1]


def forward(apps, schema_editor):
    FollowUpForm = apps.get_model("followups", "FollowUpForm")
    FollowUpAnswer = apps.get_model("followups", "FollowUpAnswer")
    FollowUpReminder = apps.get_model("followups", "FollowUpReminder")
    ReportReminder = apps.get_model("schoolreports", "ReportReminder")
    ReportForm = apps.get_model("schoolreports", "ReportForm")
    FormVersion = apps.get_model("schoolreports", "FormVersion")
    ReportRound = apps.get_model("schoolreports", "ReportRound")
    ReportAnswer = apps.get_model("schoolreports", "ReportAnswer")
    ReportSubmission = apps.get_model("schoolreports", "ReportSubmission")
    ReportAttachment = apps.get_model("schoolreports", "ReportAttachment")
    forms = FollowUpForm.objects.filter(round__isnull=True).order_by("pk")
    if not forms.exists():
        return
    definition = _definition()
    for form in forms:
        report = ReportForm.objects.create(title=form.title, description=form.instructions, template_key=TEMPLATE,
                                           created_by_id=form.created_by_id)
        version = FormVersion.objects.create(form=report, number=1, definition=definition,
                                             created_by_id=form.created_by_id)
        opens = min(form.created_at, form.deadline)
        round_ = ReportRound.objects.create(
            form=report, version=version, title=form.title, opens_at=opens, deadline=form.deadline,
            closed_at=form.closed_at, audience="invitees", audience_event_id=form.event_id,
            created_by_id=form.created_by_id)
        form.round = round_
        form.save(update_fields=["round"])
        for old in FollowUpAnswer.objects.filter(form=form).select_related("bridge").order_by("pk"):
            values = {key: getattr(old, name) for name, key in FIELDS.items()
                      if getattr(old, name) not in (None, "")}
            answer = ReportAnswer.objects.create(
                round=round_, bridge_id=old.bridge_id, version=version, status="submitted", values=values,
                typed_by=old.submitted_by, submitted_at=old.submitted_at, updated_at=old.updated_at, late=old.late)
            if old.attachment:
                item = ReportAttachment.objects.create(answer=answer, field_key=ATTACHMENT_KEY,
                                                       file=old.attachment.name,
                                                       name=old.attachment_name or old.attachment.name[-200:])
                ReportAttachment.objects.filter(pk=item.pk).update(uploaded_at=old.updated_at)
                values[ATTACHMENT_KEY] = item.pk
                answer.values = values
                answer.save(update_fields=["values"])
            # One submission: the answer as last sent, by its console, when it last changed.
            ReportSubmission.objects.create(answer=answer, values=values, typed_by=old.submitted_by,
                                            actor_label=f"console:{old.bridge.code}", at=old.updated_at,
                                            late=old.late)
        # The reminders sent, so the counts and the cooldown carry over.
        for old in FollowUpReminder.objects.filter(form=form).order_by("pk"):
            item = ReportReminder.objects.create(round=round_, bridge_id=old.bridge_id, by_id=old.by_id,
                                                 emailed=old.emailed)
            ReportReminder.objects.filter(pk=item.pk).update(at=old.at)


def backward(apps, schema_editor):
    FollowUpForm = apps.get_model("followups", "FollowUpForm")
    ReportForm = apps.get_model("schoolreports", "ReportForm")
    ReportAnswer = apps.get_model("schoolreports", "ReportAnswer")
    ReportRound = apps.get_model("schoolreports", "ReportRound")
    linked = list(FollowUpForm.objects.filter(round__isnull=False).values_list("round_id", flat=True))
    report_ids = list(ReportRound.objects.filter(pk__in=linked).values_list("form_id", flat=True))
    FollowUpForm.objects.filter(round__isnull=False).update(round=None)
    ReportAnswer.objects.filter(round_id__in=linked).delete()
    ReportRound.objects.filter(pk__in=linked).delete()
    ReportForm.objects.filter(pk__in=report_ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0003_followup_round"),
        ("schoolreports", "0002_attachment_invitees"),
    ]

    operations = [migrations.RunPython(forward, backward)]
