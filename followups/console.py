"""What follow-up reports show on a school's console: the card on the console page (how many reports
are still to send, overdue ones) and the items the console's follow-up page and API list.
Registered in followups/apps.py; answers go through the console's API to `services.submit`.
"""

from dataclasses import dataclass

from django.utils import timezone

from events.console_sections import ConsoleSection, register

from .models import FollowUpAnswer, FollowUpForm
from .services import forms_for_school


@dataclass
class SchoolForm:
    form: FollowUpForm
    answer: FollowUpAnswer | None
    overdue: bool

    @property
    def pending(self) -> bool:
        return self.answer is None and not self.form.is_closed


def school_forms(bridge, now=None) -> list[SchoolForm]:
    """The follow-up reports asked of this school, each with its answer (latest deadline first)."""
    now = now or timezone.now()
    forms = forms_for_school(bridge)
    answers = {a.form_id: a for a in FollowUpAnswer.objects.filter(bridge=bridge, form__in=forms)}
    return [SchoolForm(f, answers.get(f.pk), now > f.deadline) for f in forms]


def _followups(bridge, event, token):
    items = school_forms(bridge)
    if not items:
        return None
    pending = [item for item in items if item.pending]
    return {"pending": pending, "overdue": [item for item in pending if item.overdue]}


def register_sections() -> None:
    register(ConsoleSection("followups", 90, "followups/_console_followup.html", _followups))
