from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolReportsConfig(AppConfig):
    """School reports: forms the province designs, rounds the schools answer from their console by a
    deadline, rollups by district. Sits between training and followups in the import order."""

    name = "schoolreports"
    verbose_name = _("School reports")

    def ready(self):
        from . import reminders  # noqa: F401  (registers the reminders job kind)
        from .console import register_sections

        register_sections()  # the school reports section of the school console
