from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgesConfig(AppConfig):
    name = "bridges"
    verbose_name = _("Bridges and people")

    def ready(self):
        from core import roles

        from . import scope, signals  # noqa: F401  (signals: a role changed closes the account's websockets)
        from .importing import jobs  # noqa: F401  (registers the import job kinds)

        # core knows nobody's role: bridges tells it (home page, /api/me, who sees every job, and that
        # the read-only official starts no print, letter or certificate job).
        roles.provide(role_of=scope.role_of, sees_all_jobs=scope.is_organizer,
                      may_start_heavy_jobs=scope.may_start_heavy_jobs)
