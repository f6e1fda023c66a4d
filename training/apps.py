from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and certificates")

    def ready(self):
        from events.tabs import EventTab, register, trainings_only

        from . import jobs  # noqa: F401  (registers the job kinds)

        register(EventTab("certificates", _("Certificates"), "training:detail", 100, trainings_only))

        from .console import register_sections

        register_sections()
