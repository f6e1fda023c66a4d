from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up reports")

    def ready(self):
        from . import services  # noqa: F401  (registers the reminders job kind)
        from .console import register_sections

        register_sections()  # the follow-up card of the school console
