"""Pages without an account: certificate verification and teacher self-service (the school console's
ZIP is a console file route, console/files.py).

Verification shows only what the certificate itself shows (never the birth date or the school);
self-service needs the identifier AND the birth date and answers a wrong pair with a plain "not found".
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridges.models import Person

from . import ratelimits, services
from .codes import BadCheckCharacter, MalformedCode, display
from .forms import SelfServiceForm, VerifyForm
from .models import Certificate

SESSION_KEY = "training_teacher_id"


def verification_answer(raw: str) -> tuple[int, dict]:
    """(HTTP status, what may be shown) for a typed or scanned code."""
    try:
        cert = services.find_by_code(raw)
    except BadCheckCharacter:
        return 400, {"result": "bad_check", "message": _("Invalid code (wrong check character).")}
    except MalformedCode:
        return 400, {"result": "malformed", "message": _("Invalid code: a code has 13 letters and digits, "
                                                         "like ABCD-EFGH-JKMN-P.")}
    if cert is None:
        return 404, {"result": "not_found", "message": _("Not found.")}
    return 200, {
        "result": cert.status, "number": cert.number, "holder_name": cert.holder_name,
        "training_title": cert.training_title, "training_starts": cert.training_starts,
        "training_ends": cert.training_ends, "issued_on": timezone.localdate(cert.issued_at),
        "revoked_on": timezone.localdate(cert.revoked_at) if cert.revoked_at else None, "code": display(cert.code),
    }


@require_GET
@never_cache
def verify_form(request):
    form = VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("verify_code", code=form.cleaned_data["code"].strip())
    return render(request, "training/verify_form.html", {"form": form})


@require_GET
@never_cache
def verify(request, code: str):
    if ratelimits.limited(request, ratelimits.VERIFY):
        return ratelimits.too_many(request)
    status, answer = verification_answer(code)
    return render(request, "training/verify.html", {"answer": answer, "form": VerifyForm()}, status=status)


def _teacher_person_id(request) -> int | None:
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


@never_cache
def self_service(request):
    """A teacher's own certificates, after identifier + birth date."""
    form = SelfServiceForm()
    not_found = False
    if request.method == "POST":
        if "forget" in request.POST:
            request.session.pop(SESSION_KEY, None)
            return redirect("my_certificates")
        if ratelimits.limited(request, ratelimits.SELF_SERVICE):
            return ratelimits.too_many(request)
        form = SelfServiceForm(request.POST)
        if form.is_valid():
            person, _certs = services.teacher_certificates(form.cleaned_data["teacher_id"],
                                                           form.cleaned_data["birth_date"])
            if person is not None:
                request.session.cycle_key()
                request.session[SESSION_KEY] = person.pk
                return redirect("my_certificates")
            not_found = True
    person_id = _teacher_person_id(request)
    certificates = None
    holder = None
    if person_id is not None:
        holder = Person.objects.filter(pk=person_id).first()
        certificates = services.certificates_of(holder) if holder is not None else None
    return render(request, "training/self_service.html", {
        "form": form, "not_found": not_found, "holder": holder, "certificates": certificates})


@require_GET
@never_cache
def self_service_pdf(request, pk: int):
    person_id = _teacher_person_id(request)
    if person_id is None:
        return redirect("my_certificates")
    cert = get_object_or_404(Certificate, pk=pk, person_id=person_id, status=Certificate.Status.VALID)
    from .views import pdf_response

    return pdf_response(cert)
