"""The follow-up reports asked of a school, as the console's follow-up page (/c/<token>/followup/) and its API
list them. On the console page itself a follow-up is one of the engine's reports (its round is asked of the
event's invitees, so schoolreports' console section lists it): followups registers no section of its own.
Answers go through the console's API to `services.submit` (the engine's round).
"""

from dataclasses import dataclass

from django.utils import timezone

from schoolreports.models import ReportAnswer

from .models import FollowUpForm
from .services import FollowUpResult, forms_for_school, results


@dataclass
class SchoolForm:
    form: FollowUpForm
    answer: FollowUpResult | None
    overdue: bool

    @property
    def pending(self) -> bool:
        return self.answer is None and not self.form.is_closed


def school_forms(bridge, now=None) -> list[SchoolForm]:
    """The follow-up reports asked of this school, each with its answer (latest deadline first)."""
    now = now or timezone.now()
    forms = forms_for_school(bridge)
    submitted = ReportAnswer.objects.filter(bridge=bridge, round_id__in=[f.round_id for f in forms if f.round_id],
                                            status=ReportAnswer.Status.SUBMITTED)
    answers = results(submitted.select_related("bridge"), by="round_id")
    return [SchoolForm(f, answers.get(f.round_id), now > f.due) for f in forms]
