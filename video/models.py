from django.db import models
from django.utils.translation import gettext_lazy as _

from bridges.models import Bridge
from events.models import Event


class PresenceEvent(models.Model):
    """A Jitsi event_sync webhook, stored once (the webhook may be delivered again)."""

    class Kind(models.TextChoices):
        ROOM_CREATED = "room_created", _("room created")
        ROOM_DESTROYED = "room_destroyed", _("room destroyed")
        OCCUPANT_JOINED = "occupant_joined", _("occupant joined")
        OCCUPANT_LEFT = "occupant_left", _("occupant left")

    dedupe_key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    room_name = models.CharField(max_length=200, db_index=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="presence")
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
