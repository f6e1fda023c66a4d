"""The school console's pages: /c/<token>/ (built from the sections the apps register in
events.console_sections) and /c/<token>/followup/ (the follow-up reports to answer).

Pages only render: every read and write they make afterwards goes to the console's API
(/api/console/<token>/..., console/api.py), including their forms (static/js/console_forms.js).
"""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from events import participation
from events.console import invitation_of
from events.console_sections import registered
from followups.console import school_forms

from .auth import console_event, console_page
from .links import console_urls, followup_answer_url


def form_strings() -> dict:
    """The words console_forms.js shows, translated here once."""
    return {
        "refused": _("The request was refused."),
        "sendFailed": _("The request could not be sent. Check the connection and try again."),
        "invalidLink": _("This console link is no longer valid. Ask the organizer or your district office for "
                         "the current link."),
    }


def render_sections(request, bridge, event, token, *, invitation=None, urls=None) -> list[dict]:
    """Each registered section that has something to show, rendered with its own context plus the page's."""
    common = {"bridge": bridge, "event": event, "token": token, "invitation": invitation,
              "urls": urls or console_urls(token, event)}
    rendered = []
    for section in registered():
        context = section.context(bridge, event, token)
        if context is None:
            continue
        html = render_to_string(section.template, {**common, **context}, request=request)
        rendered.append({"key": section.key, "html": mark_safe(html)})  # noqa: S308 (our own templates)
    return rendered


@require_GET
@console_page
def console(request, bridge, token):
    event = console_event(bridge, request.GET.get("event"), listed=True)
    invitation = invitation_of(bridge, event)
    urls = console_urls(token, event)
    return render(request, "console/console.html", {
        "bridge": bridge, "token": token, "event": event, "invitation": invitation,
        "invitations": list(participation.listed_invitations(bridge)),
        "people": bridge.people.all(),
        "sections": render_sections(request, bridge, event, token, invitation=invitation, urls=urls),
        "urls": urls, "strings": form_strings(),
    })


@require_GET
@console_page
def followup(request, bridge, token):
    items = [{"item": item, "answer_url": followup_answer_url(token, item.form.pk)} for item in school_forms(bridge)]
    return render(request, "console/followup.html", {
        "bridge": bridge, "token": token, "items": items, "roster": bridge.people.count(),
        "urls": console_urls(token), "strings": form_strings(),
    })
