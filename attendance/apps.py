from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance")

    def ready(self):
        from events.tabs import EventTab, register

        from . import signals  # noqa: F401  (connects the Jitsi presence receiver)

        register(EventTab("board", _("Live board"), "attendance:board", 70))
        register(EventTab("rollcalls", _("Roll calls"), "attendance:rollcalls", 80))

        from .console import register_sections

        register_sections()  # the launch button and the live section of the school console
