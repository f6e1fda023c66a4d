"""Fetching a follow-up form or answer for a person: through its event's access rule (events.access).

A form belongs to an event, so a form of a draft is a 404 to everyone but organizers, as the event is.
"""

from django.shortcuts import get_object_or_404

from events.access import get_event
from schoolreports.models import ReportAnswer

from .models import FollowUpForm
from .services import FollowUpResult, results


def get_form(user, pk, *, manage: bool = False) -> FollowUpForm:
    """The form `pk` if `user` may see its event (404 otherwise); `manage` also asks for an organizer (403)."""
    form = get_object_or_404(FollowUpForm.objects.select_related("round"), pk=pk)
    form.event = get_event(user, form.event_id, manage=manage)
    return form


def get_answer(user, pk) -> FollowUpResult:
    """A school's follow-up answer (the engine's answer `pk` on a follow-up's round) if `user` may see its event."""
    answer = get_object_or_404(ReportAnswer.objects.select_related("bridge", "round__followup"), pk=pk,
                               round__followup__isnull=False, status=ReportAnswer.Status.SUBMITTED)
    get_event(user, answer.round.followup.event_id)
    return results([answer])[answer.bridge_id]
