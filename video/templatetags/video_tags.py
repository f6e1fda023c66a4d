"""`{% console_video %}`: the console's video section needs no help from the console view."""

from django import template
from django.urls import reverse

from events.models import Event, Invitation

from ..tokens import console_video_context

register = template.Library()


@register.simple_tag(takes_context=True)
def console_video(context, bridge=None):
    """Entries for templates/video/_console_video.html.

    Uses the console's current invitation when the page has one (so the video matches the event
    the console shows), else every current event of the bridge.
    """
    bridge = bridge or context.get("bridge")
    if bridge is None:
        return []
    invitation = context.get("invitation")
    event = invitation.event if isinstance(invitation, Invitation) and invitation.bridge_id == bridge.pk else None
    if event is None and isinstance(context.get("event"), Event):
        event = context["event"]
    entries = console_video_context(bridge, event=event)
    refresh = reverse("api:console_jitsi", kwargs={"token": bridge.console_token})
    for entry in entries:
        entry["refresh_url"] = f"{refresh}?event={entry['event'].pk}"
        entry["element_id"] = f"jitsi-join-{entry['event'].pk}"
    return entries
