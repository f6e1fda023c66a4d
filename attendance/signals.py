"""Attendance listens to the video app (which must not import attendance): Jitsi presence -> intervals."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from video.models import PresenceEvent

from .services.connections import apply_presence


@receiver(post_save, sender=PresenceEvent, dispatch_uid="attendance.presence_to_intervals")
def presence_to_intervals(sender, instance, created, raw=False, **kwargs):
    # Only new rows: a webhook delivered twice is stored once (dedupe_key), so it opens one span.
    if created and not raw:
        apply_presence(instance)
