from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The school console: its page (built from the sections other apps register in
    events.console_sections), its file routes under /c/<token>/ and its API under /api/console/<token>/."""

    name = "console"
    verbose_name = _("School console")
