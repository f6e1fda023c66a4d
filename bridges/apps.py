from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    name = "bridges"
    verbose_name = _("Bridges and people")

    def ready(self):
        from .importing import jobs  # noqa: F401  (registers the import job kinds)
