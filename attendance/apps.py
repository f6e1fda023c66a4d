from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance")

    def ready(self):
        from . import signals  # noqa: F401  (connects the Jitsi presence receiver)
        from .reports import export, followup  # noqa: F401  (registers the report job kinds)
