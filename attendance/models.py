import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridges.models import Bridge, Person
from events.models import Event, Session


def new_roll_call_secret() -> str:
    return secrets.token_urlsafe(24)


# How long one roll-call QR is shown before the next (the current and the previous one are accepted).
QR_WINDOW_SECONDS = 45


class RollCall(models.Model):
    """A roll call (điểm danh) of a session, open for a few minutes."""

    class SecondFactor(models.TextChoices):
        # What a teacher checking in by name types beside the birth year (attendance.services.second_factor).
        SCREEN_CODE = "screen_code", _("the code shown under the QR on the bridge's screen")
        IDENTIFIER_END = "identifier_end", _("the last four characters of the teacher identifier")

    session = models.ForeignKey(Session, verbose_name=pgettext_lazy("event part", "session"), on_delete=models.CASCADE,
                                related_name="roll_calls")
    label = models.CharField(_("label"), max_length=120)
    opened_at = models.DateTimeField(_("opened at"))
    closes_at = models.DateTimeField(_("closes at"))
    # Set when an organizer closes it before closes_at.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Length of one QR window; a QR is accepted in its window and the previous one.
    window_seconds = models.PositiveSmallIntegerField(_("QR rotation (seconds)"), default=QR_WINDOW_SECONDS)
    # Per roll call so that the QR codes of one roll call are worthless for another.
    secret = models.CharField(max_length=64, default=new_roll_call_secret, editable=False)
    second_factor = models.CharField(_("second check beside the birth year"), max_length=20,
                                     choices=SecondFactor.choices, default=SecondFactor.SCREEN_CODE)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = _("roll call")
        verbose_name_plural = _("roll calls")

    def __str__(self):
        return self.label

    @property
    def event_id(self) -> int:
        return self.session.event_id

    def ends_at(self):
        return min(self.closes_at, self.closed_at) if self.closed_at else self.closes_at

    def is_open(self, at) -> bool:
        return self.opened_at <= at < self.ends_at()


class BridgeCheckIn(models.Model):
    """A bridge checked in for an event by its console, with the headcount it keeps."""

    class Method(models.TextChoices):
        BUTTON = "button", _("button")
        QR = "qr", _("bridge QR")
        ORGANIZER = "organizer", _("by the organizer")

    # Evidence (core.deletion): an event with check-ins is never deleted with them.
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bridge_checkins")
    bridge = models.ForeignKey(Bridge, on_delete=models.PROTECT, related_name="checkins")
    checked_in_at = models.DateTimeField(_("checked in at"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.BUTTON)
    headcount = models.PositiveIntegerField(_("people present"), default=0)
    headcount_at = models.DateTimeField(_("headcount updated"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "bridge"], name="bridge_checkin_once")]
        verbose_name = _("bridge check-in")
        verbose_name_plural = _("bridge check-ins")


class CheckIn(models.Model):
    """A person recorded present at a roll call (once per roll call)."""

    class Method(models.TextChoices):
        SELF_QR = "self_qr", _("teacher scanned the QR")
        TICK = "tick", _("ticked by the coordinator")
        ORGANIZER = "organizer", _("recorded by the organizer")

    # Evidence: deleting a roll call (or its session, its event) with check-ins is refused (core.deletion).
    roll_call = models.ForeignKey(RollCall, on_delete=models.PROTECT, related_name="checkins")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="checkins")
    # Where the person was: may differ from person.bridge (then `foreign` is set and flagged).
    bridge = models.ForeignKey(Bridge, on_delete=models.PROTECT, related_name="person_checkins")
    foreign = models.BooleanField(_("from another bridge"), default=False)
    # Teachers' scans: a short hash of the client (address, browser, device cookie), and the flag set on
    # every check-in of a client that checked in more than a few people at one roll call (teacher_checkin).
    client_key = models.CharField(max_length=16, blank=True)
    same_client = models.BooleanField(_("many check-ins from one device"), default=False)
    # Time the person was seen (client time for queued offline writes), and time the server got it.
    at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    recorded_by = models.CharField(_("recorded by"), max_length=120, blank=True)

    class Meta:
        ordering = ["roll_call", "at"]
        # The person first, for the same reason as ClientNonce's: a batch reads its people's earlier rows by
        # `person = ANY(...)` (teacher_checkin._Batch._read_stored); reads by roll call go by the indexes below.
        constraints = [models.UniqueConstraint(fields=["person", "roll_call"], name="checkin_once_per_roll_call")]
        indexes = [models.Index(fields=["roll_call", "bridge"]),
                   models.Index(fields=["roll_call", "client_key"], name="checkin_rollcall_client")]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")


class CheckInAttempt(models.Model):
    """Every check-in attempt, accepted or refused, with its reason: the evidence behind the numbers."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DUPLICATE = "duplicate", _("already recorded")
        EXPIRED_QR = "expired_qr", _("expired QR code")
        FORGED_QR = "forged_qr", _("invalid QR code")
        UNKNOWN_PERSON = "unknown_person", _("unknown person")
        WRONG_BIRTH_YEAR = "wrong_birth_year", _("birth year does not match")
        CLOSED = "closed", _("roll call closed")
        NOT_INVITED = "not_invited", _("bridge not invited")
        INVALID = "invalid", _("invalid request")
        PAGE_USED = "page_used", _("page already used")
        WRONG_CODE = "wrong_code", _("second check does not match")
        TOO_LATE = "too_late", _("sent too long after the close")
        CONSOLE_UNSEEN = "console_unseen", _("console not seen during the roll call")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    client_time = models.DateTimeField(null=True, blank=True)
    roll_call = models.ForeignKey(RollCall, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts")
    bridge = models.ForeignKey(Bridge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=20, blank=True)
    identifier = models.CharField(max_length=64, blank=True)
    nonce = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in attempt")
        verbose_name_plural = _("check-in attempts")


class ClientNonce(models.Model):
    """The first answer to a retried write: a repeat with the same nonce gets this answer, no new row."""

    scope = models.CharField(max_length=80)
    nonce = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=200)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The nonce first: a batch reads its nonces as `nonce = ANY(...) AND scope = ANY(...)`, and a roll call's
        # scopes are few ("rollcall:<id>", "page:<id>"), so an index led by the scope had PostgreSQL scan every
        # nonce of the roll call whenever its statistics lagged a table filling up (a roll call's first minutes).
        constraints = [models.UniqueConstraint(fields=["nonce", "scope"], name="client_nonce_once")]


class ConnectionInterval(models.Model):
    """A span during which a bridge was connected (console websocket or video room)."""

    class Source(models.TextChoices):
        CONSOLE = "console", _("console")
        VIDEO = "video", _("video room")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="connection_intervals")
    bridge = models.ForeignKey(Bridge, on_delete=models.PROTECT, related_name="connection_intervals")
    source = models.CharField(max_length=10, choices=Source.choices)
    # For the console: the channel name; for video: the occupant id. Closes the right open span.
    connection_id = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["event", "bridge", "ended_at"])]
        # Named in core.deletion's refusals ("… 12 connection intervals").
        verbose_name = _("connection interval")
        verbose_name_plural = _("connection intervals")


class Launch(models.Model):
    """The launch moment: pressed once on the host console; every console counts down to `at`."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="launch")
    pressed_at = models.DateTimeField()
    at = models.DateTimeField(_("launch time"))
    pressed_by = models.CharField(max_length=120, blank=True)
