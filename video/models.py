from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bridges.models import Bridge
from events.models import Event, JitsiRoom


class PresenceEvent(models.Model):
    """A Jitsi event_sync webhook, stored once (the webhook may be delivered again)."""

    class Kind(models.TextChoices):
        ROOM_CREATED = "room_created", _("room created")
        ROOM_DESTROYED = "room_destroyed", _("room destroyed")
        OCCUPANT_JOINED = "occupant_joined", _("occupant joined")
        OCCUPANT_LEFT = "occupant_left", _("occupant left")

    dedupe_key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The room it happened in: for a breakout room its own id, not its main room's name (video.webhooks).
    room_name = models.CharField(max_length=200, db_index=True)
    # Evidence of connected time (core.deletion): an event with presence events is not deleted.
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="presence")
    bridge = models.ForeignKey(Bridge, null=True, blank=True, on_delete=models.SET_NULL, related_name="presence")
    occupant_id = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        # The table was created by the events app before the model moved here (see migrations).
        db_table = "events_presenceevent"
        ordering = ["occurred_at", "id"]
        verbose_name = _("presence event")
        verbose_name_plural = _("presence events")


class RoomOwner(models.Model):
    """Who owns (moderates) a school room of the room plan: a bridge, by default the district bridge above
    the room's schools, or a named account (a district officer, an organizer's staff member).

    Their room token says `affiliation: owner`, which Jitsi's token_affiliation makes a moderator: without
    one, either nobody in the room can mute, or Jicofo hands moderation to the first school that joins.
    The main room's owner is the host bridge (video.tokens), so it has no row here.
    """

    room = models.OneToOneField(JitsiRoom, on_delete=models.CASCADE, related_name="owner")
    bridge = models.ForeignKey(Bridge, null=True, blank=True, on_delete=models.CASCADE, related_name="owned_rooms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="owned_rooms")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(bridge__isnull=False, user__isnull=True)
                           | models.Q(bridge__isnull=True, user__isnull=False)),
                name="room_owner_bridge_or_account",
            ),
        ]
        verbose_name = _("room owner")
        verbose_name_plural = _("room owners")

    def __str__(self):
        return f"{self.room.name}: {self.bridge or self.user}"
