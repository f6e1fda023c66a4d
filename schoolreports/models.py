"""School reports: a form (its versions hold the field definitions), rounds that ask schools for an
answer by a deadline (one-off, or opened period by period from a series), the answers and every
submission of them, reminders.

A version's `definition` is JSON checked by schoolreports.definition (the one judge of its shape);
an answer's values are checked by schoolreports.validation. Rules live in schoolreports.services.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridges.models import Bridge, Tier
from core.attachments import stored_name
from events.models import Event


class ReportForm(models.Model):
    """A report the province asks schools for, designed on the designer page, the API or as an XLSForm."""

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    # The shipped template it was copied from ("" for a form made from scratch or imported).
    template_key = models.CharField(_("template"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("school report form")
        verbose_name_plural = _("school report forms")

    def __str__(self):
        return self.title

    def latest_version(self) -> "FormVersion":
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    """The fields of a form at one time. Edited in place until an answer exists; then an edit makes a new one,
    and answers keep the version they were given against."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("fields"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="schoolreport_version_once")]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")

    def __str__(self):
        return f"{self.form} v{self.number}"


class Audience(models.Model):
    """Who must answer: every school, the schools of some districts, the bridges of a tier, or a list."""

    class Kind(models.TextChoices):
        ALL = "all", _("all schools")
        DISTRICTS = "districts", _("the schools of chosen districts")
        TIER = "tier", _("the bridges of a tier")
        LIST = "list", _("a list of bridges")
        INVITEES = "invitees", _("the invitees of an event")

    audience = models.CharField(_("who must answer"), max_length=20, choices=Kind.choices, default=Kind.ALL)
    # DISTRICTS: the intermediate bridges whose schools answer; LIST: the bridges themselves.
    audience_bridges = models.ManyToManyField(Bridge, blank=True, related_name="+", verbose_name=_("bridges"))
    audience_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("tier"))
    # INVITEES: the bridges invited to this event that did not decline (events.participation.invitees).
    audience_event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("event"))

    class Meta:
        abstract = True


class RoundSeries(Audience):
    """A repeating report: each week or month opens its own round with its own deadline
    (services.open_due_rounds, run by `manage.py open_report_rounds`)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=10, choices=Frequency.choices)
    # The deadline of a period's round: this many days after the period's last day, at due_hour.
    due_days = models.PositiveSmallIntegerField(_("days after the period for the deadline"), default=5)
    due_hour = models.PositiveSmallIntegerField(_("hour of the deadline"), default=17)
    starts_on = models.DateField(_("first period starts"))
    ends_on = models.DateField(_("last period ends"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["form", "title"]
        verbose_name = _("repeating school report")
        verbose_name_plural = _("repeating school reports")

    def __str__(self):
        return self.title


class ReportRound(Audience):
    """One asking of a form: who answers, by when. Late answers are accepted (and marked) until it closes."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rounds")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("title"), max_length=255)
    opens_at = models.DateTimeField(_("opens"))
    deadline = models.DateTimeField(_("deadline"))
    # Answers are accepted (late after the deadline) until the round is closed, by hand or at closes_at.
    closes_at = models.DateTimeField(_("closes automatically"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    series = models.ForeignKey(RoundSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds")
    period_start = models.DateField(_("period starts"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "-id"]
        constraints = [models.UniqueConstraint(fields=["series", "period_start"], name="schoolreport_period_once",
                                               condition=models.Q(series__isnull=False))]
        verbose_name = _("school report round")
        verbose_name_plural = _("school report rounds")

    def __str__(self):
        return self.title

    def is_closed(self, now) -> bool:
        return self.closed_at is not None or (self.closes_at is not None and now >= self.closes_at)


class ReportAnswer(models.Model):
    """A school's answer to a round: a draft kept as typed, and the values of its last submission."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="answers")
    bridge = models.ForeignKey(Bridge, verbose_name=_("school"), on_delete=models.PROTECT,
                               related_name="school_report_answers")
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # What was typed, unchecked (nothing typed is lost); cleared by a submission of the same values.
    draft = models.JSONField(_("draft"), default=dict, blank=True)
    draft_saved_at = models.DateTimeField(_("draft saved"), null=True, blank=True)
    # The checked values of the last submission, one key per field (a grid's cells as grid__row__col).
    values = models.JSONField(_("values"), default=dict, blank=True)
    typed_by = models.CharField(_("filled in by"), max_length=120, blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last submitted"), null=True, blank=True)
    # The first submission came after the deadline: accepted, but marked.
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["round", "bridge__path"]
        constraints = [models.UniqueConstraint(fields=["round", "bridge"], name="schoolreport_answer_once")]
        verbose_name = _("school report answer")
        verbose_name_plural = _("school report answers")

    def __str__(self):
        return f"{self.round} – {self.bridge.code}"

    @property
    def submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ReportSubmission(models.Model):
    """Every submission of an answer, kept: what was sent, who typed it, from where, when."""

    answer = models.ForeignKey(ReportAnswer, on_delete=models.CASCADE, related_name="submissions")
    values = models.JSONField(_("values"), default=dict)
    typed_by = models.CharField(_("filled in by"), max_length=120, blank=True)
    actor_label = models.CharField(_("sent by"), max_length=200)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(_("time"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["answer", "-at", "-id"]
        verbose_name = _("school report submission")
        verbose_name_plural = _("school report submissions")


class ReportReminder(models.Model):
    """A reminder sent to a school that had not answered a round (the cooldown reads these)."""

    round = models.ForeignKey(ReportRound, on_delete=models.CASCADE, related_name="reminders")
    bridge = models.ForeignKey(Bridge, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["round", "bridge"])]


def attachment_path(instance, filename: str) -> str:
    return stored_name(f"schoolreports/{instance.answer.round_id}", filename)


class ReportAttachment(models.Model):
    """A file a school attached to its answer (a field of type "file"): uploaded from the console, named in the
    answer's values by its id, kept with every submission that names it; downloaded by those whose scope covers
    the school."""

    answer = models.ForeignKey(ReportAnswer, on_delete=models.CASCADE, related_name="attachments")
    field_key = models.CharField(_("field"), max_length=40)
    file = models.FileField(_("attachment"), upload_to=attachment_path)
    name = models.CharField(_("attachment name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["answer", "field_key", "-uploaded_at"]
        verbose_name = _("school report attachment")
        verbose_name_plural = _("school report attachments")

    def __str__(self):
        return self.name
