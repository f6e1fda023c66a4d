from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from events.tabs import EventTab, register
        from followups.panels import FormPanel
        from followups.panels import register as register_panel

        from . import export  # noqa: F401  (registers the export job kind)
        from .followup_views import panel_values

        register(EventTab("reports", _("Reports"), "reports:reports", 90))
        register_panel(FormPanel("reports", "reports/_followup_panel.html", panel_values, order=10))
        from .school_report_views import register_panels

        register_panels()  # a school-report round's downloads, on its page
