"""Asking first, before a bulk or irreversible action: how many, and what cannot be taken back.

A page's form posts to its action with `review=1` (or a link opens the action with GET); the view then
answers with a confirmation page built from a `Confirmation`, its count computed on the server at that
moment, instead of acting. The confirmation's form posts the same fields back with `expected=<count>`,
and the view acts. When the count changed in between (more people became eligible, a school answered),
the view asks again with the new number rather than act on one the person did not see.

A POST without `review` acts at once, as it always did: scripts and the tests of the action keep working.
The API's bulk operations take the same precondition as an optional `expected` and answer 409
`count_changed` (`require_expected`).

static/js/confirm.js shows the same confirmation in a <dialog> (fetched, so the count is the server's)
and, once confirmed, swaps in the page section the confirmation names (`section`), so the job's
progress appears where its button was.
"""

from dataclasses import dataclass, field

from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .errors import Refused

# Fields of the asking form that are not carried to the confirmation's form.
_NOT_CARRIED = {"csrfmiddlewaretoken", "review", "expected"}


class CountChanged(Refused):
    code = "count_changed"
    status = 409


@dataclass
class Confirmation:
    title: str
    count: int
    summary: str  # what happens, to how many (the count already in it)
    consequence: str  # what follows and what cannot be undone
    action_url: str
    cancel_url: str
    button: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # carried back to the action
    notes: list[str] = field(default_factory=list)
    danger: bool = False
    allowed: bool = True  # False: nothing to do (nobody to remind...); the page says why, no button
    section: str = ""  # id of the page section the action returns to (confirm.js swaps it in place)
    changed_from: int | None = None  # the count the person confirmed, when it has changed since


def number(value: int) -> str:
    """A count as the page's language writes it (17.878 in Vietnamese)."""
    return number_format(value, force_grouping=True)


def asked(request) -> bool:
    """True when the person is to be asked first: a GET of the action, or a form posted with `review`."""
    return request.method == "GET" or "review" in request.POST


def expected_of(request) -> int | None:
    value = request.POST.get("expected", "")
    return int(value) if value.isdigit() else None


def stale(request, count: int) -> bool:
    """The person confirmed another number than the one that holds now."""
    expected = expected_of(request)
    return expected is not None and expected != count


def must_ask(request, count: int) -> bool:
    return asked(request) or stale(request, count)


def carried(request, *, extra: dict | None = None) -> list[tuple[str, str]]:
    """The asking form's fields (repeated names kept), to post back with the confirmation."""
    source = request.POST if request.method == "POST" else request.GET
    pairs = [(name, value) for name in source for value in source.getlist(name) if name not in _NOT_CARRIED]
    return pairs + [(name, str(value)) for name, value in (extra or {}).items()]


def ask(request, confirmation: Confirmation, *, status: int = 200):
    if request.method == "POST" and not asked(request):
        confirmation.changed_from = expected_of(request)
    if not confirmation.fields:
        confirmation.fields = carried(request)
    return render(request, "core/confirm.html", {"confirmation": confirmation}, status=status)


def require_expected(expected: int | None, count: int) -> None:
    """The API's precondition: `expected` (when given) must be the number the action would touch now."""
    if expected is not None and expected != count:
        raise CountChanged(_("The number changed: you expected %(expected)s, it is %(count)s now. Look again "
                             "before confirming.") % {"expected": number(expected), "count": number(count)},
                           fields={"expected": [str(count)]})
