"""Fetching a follow-up form or answer for a person: through its event's access rule (events.access).

A form belongs to an event, so a form of a draft is a 404 to everyone but organizers, as the event is.
"""

from django.shortcuts import get_object_or_404

from events.access import get_event

from .models import FollowUpAnswer, FollowUpForm


def get_form(user, pk, *, manage: bool = False) -> FollowUpForm:
    """The form `pk` if `user` may see its event (404 otherwise); `manage` also asks for an organizer (403)."""
    form = get_object_or_404(FollowUpForm, pk=pk)
    form.event = get_event(user, form.event_id, manage=manage)
    return form


def get_answer(user, pk) -> FollowUpAnswer:
    answer = get_object_or_404(FollowUpAnswer.objects.select_related("bridge", "form"), pk=pk)
    answer.form.event = get_event(user, answer.form.event_id)
    return answer
