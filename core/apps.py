from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        # Registers the production settings checks and the login-throttling audit (axes' signals), and
        # closes a logged-out account's websockets (core.revocation).
        from . import checks, login_throttle, revocation  # noqa: F401
        from .logging import redact_access_log

        redact_access_log()
