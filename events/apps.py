from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        # Registers the job kinds (bulk invitations, cancellation notices, reminders), so a job started
        # anywhere finds its function.
        from . import cancellation, invitation_jobs  # noqa: F401
        from .services import reminders  # noqa: F401
        from .tabs import EventTab, organizer_while_open, register

        register(EventTab("detail", _("Programme"), "events:detail", 10))
        register(EventTab("invite", _("Invite"), "events:invite", 20, organizer_while_open))
        register(EventTab("invitations", _("Invitations"), "events:invitations", 30))
        register(EventTab("readiness", _("Readiness"), "events:readiness", 40))
        register(EventTab("letters", _("Invitation letters"), "events:invitation_letters", 50))
        register(EventTab("calendar", _("Calendar (.ics)"), "events:calendar", 200))

        from .console import register_sections

        register_sections()  # the programme, the answer, the readiness test, the contacts
