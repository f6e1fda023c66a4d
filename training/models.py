from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from bridges.models import Person
from events.models import Event

# The certificate template's default wording: msgids (gettext_noop marks them for makemessages, which does
# not know _vi: unmarked, the English was printed on every certificate), Vietnamese once in a template.
DEFAULT_ISSUER = gettext_noop("PEOPLE'S COMMITTEE OF THE PROVINCE\nDEPARTMENT OF SCIENCE AND TECHNOLOGY")
DEFAULT_MOTTO = gettext_noop("SOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness")
DEFAULT_TITLE = gettext_noop("CERTIFICATE")
DEFAULT_COMPLETION_TEXT = gettext_noop("has completed the training")
DEFAULT_SIGNER_TITLE = gettext_noop("DIRECTOR")
DEFAULT_WORDING = (DEFAULT_ISSUER, DEFAULT_MOTTO, DEFAULT_TITLE, DEFAULT_COMPLETION_TEXT, DEFAULT_SIGNER_TITLE)


def _vi(msgid: str) -> str:
    # Certificates are Vietnamese documents whatever language the organizer's screen is in.
    with translation.override("vi"):
        return translation.gettext(msgid)


def default_issuer() -> str:
    return _vi(DEFAULT_ISSUER)


def default_motto() -> str:
    return _vi(DEFAULT_MOTTO)


def default_title() -> str:
    return _vi(DEFAULT_TITLE)


def default_completion_text() -> str:
    return _vi(DEFAULT_COMPLETION_TEXT)


def default_signer_title() -> str:
    return _vi(DEFAULT_SIGNER_TITLE)


class CompletionRule(models.Model):
    """When a person has completed a training. No rule: present at every roll call held."""

    class Combine(models.TextChoices):
        AND = "and", _("both conditions")
        OR = "or", _("either condition")

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="completion_rule")
    min_roll_calls = models.PositiveSmallIntegerField(
        _("present at no fewer than N roll calls"), null=True, blank=True,
        help_text=_("Empty: this condition is not used."),
    )
    min_connected_percent = models.PositiveSmallIntegerField(
        _("bridge connected for at least X percent of the session time"), null=True, blank=True,
        help_text=_("Empty: this condition is not used."),
    )
    combine = models.CharField(_("combine"), max_length=3, choices=Combine.choices, default=Combine.AND)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("completion rule")
        verbose_name_plural = _("completion rules")

    def __str__(self):
        return str(self.event)


class Override(models.Model):
    """An organizer's decision that beats the rule for one person, with the reason."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="completion_overrides")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completion_overrides")
    eligible = models.BooleanField(_("eligible"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="override_once_per_person")]
        verbose_name = _("eligibility override")
        verbose_name_plural = _("eligibility overrides")

    def __str__(self):
        return f"{self.person} – {self.event}"


class CertificateTemplate(models.Model):
    """What a certificate says around the person's data. One per training, or the default (no event)."""

    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="certificate_template",
        verbose_name=_("training"), help_text=_("Empty: the default for trainings without their own template."),
    )
    issuer = models.TextField(_("issuing body (one line each)"), default=default_issuer)
    motto = models.TextField(_("national motto (one line each)"), default=default_motto, blank=True)
    title = models.CharField(_("title"), max_length=120, default=default_title)
    completion_text = models.CharField(_("completion wording"), max_length=200, default=default_completion_text)
    signer_title = models.CharField(_("signer's title"), max_length=120, default=default_signer_title)
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    place = models.CharField(_("place of issue"), max_length=80, blank=True)
    # {seq} is the number within the training and year, {year} the year of issue; "{seq:04d}" pads.
    number_format = models.CharField(_("number format"), max_length=60, default="{seq}/GCN")
    logo = models.ImageField(_("logo"), upload_to="training/logos/", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self):
        return str(self.event) if self.event_id else str(_("Default template"))


class CertificateCounter(models.Model):
    """The last number given per training and year; locked while numbers are handed out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "year"], name="certificate_counter_once")]


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="certificates")
    # The snapshot below is what the certificate says; the person it was issued to is not deleted from
    # under it (PROTECT, core.deletion): certificates are revoked, never deleted.
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("number"), max_length=80)
    seq = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    # 12 Crockford base-32 characters (60 random bits) and a check character, stored without dashes.
    code = models.CharField(max_length=16, unique=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    holder_name = models.CharField(pgettext_lazy("person", "name"), max_length=150)  # a bridge's "name" is tên
    holder_birth_date = models.DateField(_("birth date"), null=True, blank=True)
    school_name = models.CharField(_("school"), max_length=255, blank=True)
    training_title = models.CharField(_("training"), max_length=255)
    training_starts = models.DateField(_("from"))
    training_ends = models.DateField(_("to"))

    class Meta:
        ordering = ["event", "year", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"], condition=models.Q(status="valid"), name="certificate_valid_once",
            ),
            models.UniqueConstraint(fields=["event", "year", "seq"], name="certificate_seq_once"),
        ]
        indexes = [models.Index(fields=["event", "status"])]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return f"{self.number} – {self.holder_name}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def display_code(self) -> str:
        from .codes import display

        return display(self.code)


class BridgeTally(models.Model):
    """The read model of an event's numbers per bridge (training.tallies counts them; pages and the API
    read them). Derived data, never evidence: rebuilt from the database whenever it is missing or stale.

    `stale` says whether its numbers may be behind: MARKED by a notification (the board's, certificates,
    overrides; one UPDATE that skips rows already marked), COUNTING or above (the reader's own token) while
    a reader recounts it, COUNTED once that reader stored what it counted (training.tallies says why)."""

    COUNTED, MARKED, COUNTING = 0, 1, 2

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    bridge = models.ForeignKey("bridges.Bridge", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    invited = models.BooleanField(default=False)  # invited, or the host; else only its teachers are counted
    status = models.CharField(max_length=20, blank=True)
    confirmed = models.BooleanField(default=False)
    tested = models.BooleanField(default=False)
    readiness = models.CharField(max_length=10, blank=True)  # "ok", "problem", "" (not tested)
    readiness_at = models.DateTimeField(null=True, blank=True)
    readiness_problems = models.CharField(max_length=300, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    headcount = models.PositiveIntegerField(default=0)
    minutes = models.FloatField(default=0.0)
    expected = models.PositiveIntegerField(default=0)
    roster = models.PositiveIntegerField(default=0)
    present = models.JSONField(default=dict)  # {roll call id (text): check-ins recorded at this bridge}
    flagged = models.JSONField(default=dict)  # {roll call id: those of them flagged (many from one device)}
    teachers = models.PositiveIntegerField(default=0)  # people of this bridge the completion rule considers
    completed = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField()  # when its numbers last changed
    stale = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "bridge"], name="training_tally_event_bridge")]


class TallyState(models.Model):
    """When an event's tallies were last counted whole, and whether something changed them all since (a roll
    call opened or closed, the completion rule saved): `stale` as BridgeTally's."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="+")
    built_at = models.DateTimeField()
    stale = models.PositiveSmallIntegerField(default=0)
