"""An Undo button inside a page's message, for a change that can be taken back for a while.

The message is HTML made here (format_html: the text is escaped), holding a small POST form to the
restoring view with the request's CSRF token; Django's message storage keeps its safe mark, so the
page's `{{ message }}` shows the button. The rule of what may be undone, and until when, is the
service's (e.g. events.services.schedule.restore_agenda_item); this only offers it.
"""

from django.contrib import messages
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.translation import gettext as _


def offer(request, text: str, undo_url: str, *, button: str | None = None) -> None:
    messages.success(request, format_html(
        '{} <form method="post" action="{}" class="undo-form"><input type="hidden" name="csrfmiddlewaretoken" '
        'value="{}"><button type="submit" class="undo-button">{}</button></form>',
        text, undo_url, get_token(request), button or _("Undo")))
