"""Mail in development: kept in private files, never printed.

Invitations, reminders and follow-up mails carry each school's secret console link. Django's console
backend printed every body to stdout, and the demo's log ended up holding hundreds of live links. This
backend writes each mail whole to a file readable only by this account (EMAIL_FILE_PATH, mode 0700/0600),
and logs one line per mail: the recipients, the subject (redacted like every log line) and the file.
Production refuses it (core.checks): set EMAIL_HOST there.
"""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.mail.backends import filebased

from .logging import redact

log = logging.getLogger(__name__)


class DevelopmentMailBackend(filebased.EmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        directory = Path(file_path or settings.EMAIL_FILE_PATH)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        super().__init__(*args, file_path=str(directory), **kwargs)

    def open(self):
        if self.stream is None:
            descriptor = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.stream = os.fdopen(descriptor, "ab")
            return True
        return False

    def write_message(self, message):
        super().write_message(message)
        log.info("mail to %s: %s (kept in %s)", ", ".join(message.recipients()), redact(str(message.subject)),
                 self._get_filename())
