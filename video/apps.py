from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    """Jitsi: room tokens, the room plan, event_sync webhooks stored as presence events."""

    name = "video"
    verbose_name = _("Video rooms")

    def ready(self):
        from events.tabs import EventTab, register

        # The key stays "rooms": templates/video/room_plan.html marks it current with tab="rooms".
        register(EventTab("rooms", _("Video rooms"), "video:room_plan", 60))

        from .console import register_sections

        register_sections()
