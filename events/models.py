import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridges.models import Bridge, Tier


class Event(models.Model):
    class Kind(models.TextChoices):
        LAUNCH = "launch", _("launch ceremony")
        TRAINING = "training", _("training")
        CONFERENCE = "conference", _("conference")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        LIVE = "live", _("live")
        ENDED = "ended", _("ended")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LAUNCH)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    host = models.ForeignKey(
        Bridge, verbose_name=_("host bridge"), on_delete=models.PROTECT, related_name="hosted_events"
    )
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    livestream_url = models.URLField(_("livestream URL"), blank=True)
    # The launch moment (phát động), once pressed (attendance.launch through events.services.schedule.mark_launched):
    # pages say "launched at …" without asking the app that holds the press.
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True, editable=False)
    # Calendar identity: UID never changes, SEQUENCE goes up with every change clients must see.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self):
        return self.title


class Session(models.Model):
    """A part of an event: the ceremony, the training..."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    counts_for_completion = models.BooleanField(_("counts toward training completion"), default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        # Context: a part of an event (phiên), not a login session (django.contrib.sessions' "session").
        verbose_name = pgettext_lazy("event part", "session")
        verbose_name_plural = pgettext_lazy("event part", "sessions")

    def __str__(self):
        return self.title


class LiveAgenda(models.Manager):
    """Agenda items not deleted: what every page, file and API reads (session.agenda uses it too)."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AgendaWithDeleted(models.Manager):
    """Every agenda item, deleted ones too: only for restoring one."""


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("opening")
        SPEECH = "speech", _("speech")
        PRESENTATION = "presentation", _("presentation")
        LAUNCH = "launch", _("launch moment")
        TRAINING = "training", _("training")
        DISCUSSION = "discussion", _("discussion")
        BREAK = "break", _("break")
        CLOSING = "closing", _("closing")
        OTHER = "other", _("other")

    session = models.ForeignKey(Session, verbose_name=pgettext_lazy("event part", "session"), on_delete=models.CASCADE,
                                related_name="agenda")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=255)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    # A deleted item is kept, hidden, so that it can be restored for a while (events.services.schedule,
    # AGENDA_UNDO_SECONDS); `objects` and session.agenda never show it, `with_deleted` does.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    objects = LiveAgenda()
    with_deleted = AgendaWithDeleted()

    class Meta:
        ordering = ["session", "starts_at", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")

    def __str__(self):
        return self.title


class ParticipantGroup(models.Model):
    """Who attends at bridges of a tier (shown on invitations)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participant_groups")
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("who attends"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "tier"], name="participant_group_unique_tier")]
        verbose_name = _("participant group")
        verbose_name_plural = _("participant groups")

    def __str__(self):
        return f"{self.tier}: {self.description[:40]}"


class JitsiRoom(models.Model):
    """A video room of an event's room plan.

    The video app (video/room_plan.py) plans and edits these rooms, but the model lives here:
    Invitation.room points at it, and moving it to video would make events import video, against
    the app order (core <- bridges <- events <- video <- ...).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.SlugField(_("room name"), max_length=120)
    label = models.CharField(_("label"), max_length=200)
    interactive = models.BooleanField(_("main interactive room"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"), default=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="room_unique_name_per_event")]
        verbose_name = _("video room")
        verbose_name_plural = _("video rooms")

    def __str__(self):
        return self.label


class Invitation(models.Model):
    """A bridge invited to an event, and where its registration stands."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        CONFIRMED = "confirmed", _("confirmed")
        TESTED_OK = "tested_ok", _("tested OK")
        PROBLEM = "problem", _("problem")
        DECLINED = "declined", _("declined")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    bridge = models.ForeignKey(Bridge, on_delete=models.PROTECT, related_name="invitations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    # What failed in the latest readiness test, in words, for the organizer's list.
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    expected_participants = models.PositiveIntegerField(_("expected participants"), null=True, blank=True)
    room = models.ForeignKey(
        JitsiRoom, verbose_name=_("video room"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="invitations",
    )
    # Schools that follow the livestream instead of joining a room.
    viewer = models.BooleanField(_("livestream viewer"), default=False)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        ordering = ["event", "bridge__path"]
        constraints = [models.UniqueConstraint(fields=["event", "bridge"], name="invitation_unique_bridge")]
        indexes = [models.Index(fields=["event", "status"])]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.event} → {self.bridge.code}"


class ReadinessTest(models.Model):
    """One run of the console's technical test."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="readiness_tests")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    rtt_ms = models.FloatField(_("websocket round trip (ms)"), null=True, blank=True)
    download_mbps = models.FloatField(_("download (Mbit/s)"), null=True, blank=True)
    camera_ok = models.BooleanField(_("camera"), null=True)
    microphone_ok = models.BooleanField(_("microphone"), null=True)
    jitsi_reachable = models.BooleanField(_("video server reachable"), null=True)
    ok = models.BooleanField(_("passed"), default=False)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("readiness test")
        verbose_name_plural = _("readiness tests")


class InvitationLetter(models.Model):
    """What an event's invitation letter (giấy mời) says as an official document (Decree 30/2020/NĐ-CP).

    One per event, created the first time an organizer saves it. An empty field takes the built-in
    wording (translated when the letter is drawn), the INVITATION_ISSUER / INVITATION_PLACE settings or
    the event itself; events.letters resolves them, events.invitation_pdf draws them.
    """

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="letter")
    parent_body = models.CharField(
        _("governing body"), max_length=200, blank=True,
        help_text=_("Printed above the issuing body, e.g. “UBND TỈNH QUẢNG NGÃI”. Empty: none."))
    issuer = models.CharField(
        _("issuing body"), max_length=200, blank=True,
        help_text=_("e.g. “Sở Giáo dục và Đào tạo”. Empty: the site's issuer, else the host bridge."))
    number = models.CharField(
        _("number in the register"), max_length=20, blank=True,
        help_text=_("The number the records office gives the letter. Empty: a blank to write in by hand."))
    number_pattern = models.CharField(
        _("number pattern"), max_length=60, default="{seq}/GM",
        help_text=_("How the number is written: {seq} is the number above, {year} the year of the letter, "
                    "e.g. “{seq}/GM-UBND”."))
    place = models.CharField(
        _("place name"), max_length=80, blank=True,
        help_text=_("Before the date, e.g. “Quảng Ngãi”. Empty: the site's place."))
    dated = models.DateField(_("date of the letter"), null=True, blank=True,
                             help_text=_("Empty: the day the letter is printed."))
    title = models.CharField(_("document title"), max_length=120, blank=True, help_text=_("Empty: “GIẤY MỜI”."))
    subject = models.CharField(_("summary line"), max_length=300, blank=True,
                               help_text=_("Under the title. Empty: “V/v: ” and the event's title."))
    body = models.TextField(_("body"), blank=True,
                            help_text=_("After the invitation sentence. Empty: the event's description."))
    recipients = models.TextField(_("recipients"), blank=True,
                                  help_text=_("One per line, under “Nơi nhận:”. Empty: “Như trên;” and “Lưu: VT.”."))
    signer_authority = models.CharField(_("signing authority"), max_length=120, blank=True,
                                        help_text=_("e.g. “KT. CHỦ TỊCH”, “TL. GIÁM ĐỐC”. Empty: none."))
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True,
                                    help_text=_("e.g. “PHÓ CHỦ TỊCH”. Empty: the issuing body."))
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invitation letter")
        verbose_name_plural = _("invitation letters")

    def __str__(self):
        return str(self.event)
