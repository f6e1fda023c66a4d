from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and certificates")

    def ready(self):
        from core.jobs import periodic
        from events.tabs import EventTab, register, trainings_only

        from . import jobs, signals, tallies  # noqa: F401  (registers the job kinds; the tallies' receivers)

        # The tallies' safety net runs in the job worker, never in a page (training.tallies.refresh_due).
        periodic.every(tallies.LIVE_REFRESH.total_seconds(), "training.tallies", tallies.refresh_due)

        register(EventTab("certificates", _("Certificates"), "training:detail", 100, trainings_only))

        from .console import register_sections

        register_sections()
