"""The school console's pages: /c/<token>/ (built from the sections the apps register in
events.console_sections) and /c/<token>/followup/ (the follow-up reports to answer).

Pages only render: every read and write they make afterwards goes to the console's API
(/api/console/<token>/..., console/api.py), including their forms (static/js/console_forms.js).
"""

from types import SimpleNamespace

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attendance.services import rollcall
from bridges.names import roster_labels
from events import participation
from events.console import invitation_of
from events.console_sections import launch_day_order, registered
from followups.console import school_forms
from video.page_policy import jitsi_page

from .auth import console_event, console_page
from .links import console_urls, followup_answer_url


def form_strings() -> dict:
    """The words console_forms.js shows, translated here once."""
    return {
        "refused": _("The request was refused."),
        "checkFields": _("Please correct the fields marked below."),
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
        rendered.append({"key": section.key, "order": section.order, "live": section.live,
                         "html": mark_safe(html)})  # noqa: S308 (our own templates)
    return rendered


def is_launch_day(event, now=None) -> bool:
    """The console shows its launch-day screen while its event is under way (events.participation) or a
    roll call of it is open (attendance.services.rollcall): check-in, QR and roster first, the rest folded."""
    if event is None:
        return False
    now = now or timezone.now()
    return participation.in_progress(event, now) or rollcall.current_roll_call(event, now) is not None


@require_GET
@console_page
@jitsi_page  # the video call and the readiness test: the Jitsi domain, camera and microphone
def console(request, bridge, token):
    event = console_event(bridge, request.GET.get("event"), listed=True)
    invitation = invitation_of(bridge, event)
    urls = console_urls(token, event)
    sections = render_sections(request, bridge, event, token, invitation=invitation, urls=urls)
    launch_day = is_launch_day(event)
    first, folded = launch_day_order([SimpleNamespace(**s) for s in sections]) if launch_day else ([], sections)
    people = list(bridge.people.order_by("name_key", "id"))
    labels = roster_labels(people)
    return render(request, "console/console.html", {
        "bridge": bridge, "token": token, "event": event, "invitation": invitation,
        "invitations": list(participation.listed_invitations(bridge)),
        "people": [{"label": labels[p.pk], "subject": p.subject} for p in people],
        "launch_day": launch_day, "first_sections": first, "sections": folded,
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
