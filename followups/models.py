"""Follow-up reports after a training: the organizer asks the schools what they did with it.

The rules (who must answer, what numbers are believable, late answers) live in followups.services.
The tables keep the names they had when these models belonged to attendance (no rows moved).
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.models import Bridge
from events.models import Event
from schoolreports.models import ReportRound


def attachment_path(instance, filename: str) -> str:
    # A random name: the stored path must not be guessable from the school or the original name.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"followup/{instance.form_id}/{secrets.token_urlsafe(16)}{suffix}"


class FollowUpForm(models.Model):
    """A follow-up report the schools of a training fill in from their console by a deadline."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="followup_forms")
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    # Set when the organizer stops accepting answers (late answers are accepted until then).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The engine's round the schools answer (schoolreports, from the "replication" template): who is asked
    # (the event's invitees), the deadline, every answer and submission. Opened with the follow-up.
    round = models.OneToOneField(ReportRound, verbose_name=_("school report round"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="followup")

    class Meta:
        db_table = "attendance_followupform"
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow-up report form")
        verbose_name_plural = _("follow-up report forms")

    def __str__(self):
        return self.title

    @property
    def due(self):
        """The deadline in force: the engine round's, which can be moved on the school reports' pages. The
        form's own column keeps the deadline it was opened with (the round is published with it)."""
        return self.round.deadline if self.round_id is not None else self.deadline

    @property
    def is_closed(self) -> bool:
        # Closed here, or its engine round closed (on the school reports' pages, or at its closing time).
        if self.closed_at is not None:
            return True
        return self.round_id is not None and self.round.is_closed(timezone.now())


class FollowUpAnswer(models.Model):
    """One school's answer to a follow-up form, as stored before the report engine (read-only now: migration
    0004 copied every row into the form's engine round, where answers are kept since; kept as the record of
    what was migrated)."""

    # A school's answer is evidence (core.deletion): a form (or its event) with answers is not deleted.
    form = models.ForeignKey(FollowUpForm, on_delete=models.PROTECT, related_name="answers")
    bridge = models.ForeignKey(Bridge, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="followup_answers")
    students_trained = models.PositiveIntegerField(_("students trained"))
    classes_held = models.PositiveIntegerField(_("classes held"))
    teachers_led = models.PositiveIntegerField(_("teachers who led them"))
    # The school's number of students when the school gives it: the ceiling for students trained.
    school_students = models.PositiveIntegerField(_("students at the school"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    submitted_by = models.CharField(_("filled in by"), max_length=120, blank=True)
    submitted_at = models.DateTimeField(_("first submitted"))
    updated_at = models.DateTimeField(_("last changed"))
    # The first submission came after the deadline: accepted, but marked.
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        db_table = "attendance_followupanswer"
        ordering = ["form", "bridge__path"]
        constraints = [models.UniqueConstraint(fields=["form", "bridge"], name="followup_answer_once")]
        verbose_name = _("follow-up answer")
        verbose_name_plural = _("follow-up answers")

    def __str__(self):
        return f"{self.form} – {self.bridge.code}"


class FollowUpReminder(models.Model):
    """A reminder sent to a school that had not answered."""

    form = models.ForeignKey(FollowUpForm, on_delete=models.CASCADE, related_name="reminders")
    bridge = models.ForeignKey(Bridge, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    emailed = models.BooleanField(default=False)

    class Meta:
        db_table = "attendance_followupreminder"
        ordering = ["-at"]
        indexes = [models.Index(fields=["form", "bridge"])]
