from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Follow-up reports")

    def ready(self):
        # Registers the job kind of reminders queued before follow-ups moved to the engine. The console shows a
        # follow-up as one of the engine's reports (schoolreports' console section): no section of its own.
        from . import services  # noqa: F401
