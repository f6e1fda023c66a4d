from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        # Registers the job kinds (bulk invitations, reminders), so a job started anywhere finds its function.
        from . import invitation_jobs  # noqa: F401
        from .services import reminders  # noqa: F401
