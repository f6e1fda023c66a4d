"""The follow-up reports card on the school's console page (included by the console's page)."""

from django import template
from django.utils import timezone

from ..models import FollowUpAnswer
from ..services import forms_for_school

register = template.Library()


@register.inclusion_tag("followups/_console_followup.html")
def console_followups(bridge, token):
    forms = forms_for_school(bridge)
    answered = set(FollowUpAnswer.objects.filter(bridge=bridge, form__in=forms).values_list("form_id", flat=True))
    now = timezone.now()
    pending = [f for f in forms if f.pk not in answered and not f.is_closed]
    return {"token": token, "forms": forms, "pending": pending, "overdue": [f for f in pending if now > f.deadline]}
