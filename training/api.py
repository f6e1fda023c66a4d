"""HTTP API for completion rules, eligibility, overrides, certificates and public verification."""

from datetime import date, datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from bridges import scope
from bridges.models import Role
from core import confirm
from core import jobs as core_jobs
from core.api import JobOut, job_out
from core.errors import Refused
from core.openapi import PDF, file_response, refusals
from core.text import clean_text
from events.access import get_event

from . import ratelimits, services
from .certificate_pdf import pdf_response
from .eligibility import describe_rule, evaluate, held_roll_calls, rule_for
from .eligibility_list import STATUSES, EligibilityList, Filters, standing_of
from .jobs import ISSUE, PRINT
from .models import Certificate
from .public_views import verification_answer

router = Router(tags=["training"])
ORGANIZER = Role.Kind.ORGANIZER


def _event(request, event_id: int, *, manage: bool = False):
    return get_event(request.user, event_id, manage=manage)


class RuleIn(Schema):
    min_roll_calls: int | None = None
    min_connected_percent: int | None = None
    combine: str = "and"


class RuleOut(RuleIn):
    description: str
    roll_calls_held: int
    roll_calls_completed: int


class StandingOut(Schema):
    """A `training.eligibility.Standing` as the API shows it."""
    person_id: int
    full_name: str
    teacher_id: str
    school: str
    eligible: bool
    present: int
    held: int
    missed: list[str]
    connected_percent: float | None
    override: bool
    explanation: str

    @staticmethod
    def resolve_school(standing) -> str:
        return standing.school_name

    @staticmethod
    def resolve_connected_percent(standing) -> float | None:
        return None if standing.connected_percent is None else round(standing.connected_percent, 1)

    @staticmethod
    def resolve_override(standing) -> bool:
        return standing.override is not None


class OverrideIn(Schema):
    person_id: int
    eligible: bool | None = None  # None: remove the override and follow the rule again
    reason: str


class IssueOut(Schema):
    eligible: int
    issued: int
    skipped: int


class CertificateOut(Schema):
    id: int
    event_id: int
    number: str
    status: str
    holder_name: str
    holder_birth_date: date | None
    school_name: str
    training_title: str
    training_starts: date
    training_ends: date
    issued_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    verify_url: str

    @staticmethod
    def resolve_verify_url(obj):
        from .certificate_pdf import verify_url

        return verify_url(obj.code)


class RevokeIn(Schema):
    reason: str


class VerifyOut(Schema):
    result: str
    message: str | None = None
    number: str | None = None
    holder_name: str | None = None
    training_title: str | None = None
    training_starts: date | None = None
    training_ends: date | None = None
    issued_on: date | None = None
    revoked_on: date | None = None


class SelfServiceIn(Schema):
    teacher_id: str
    birth_date: date


class OwnCertificateOut(Schema):
    number: str
    status: str
    training_title: str
    issued_at: datetime
    pdf_url: str | None


class TemplateIn(Schema):
    issuer: str
    motto: str = ""
    title: str
    completion_text: str
    signer_title: str
    signer_name: str = ""
    place: str = ""
    number_format: str = Field(description="The certificate number: {seq}, {seq:04d} (zeros, up to 9 digits), "
                                           "{year}, {event} and plain text; anything else in braces answers 400.")


class CertificateTemplateOut(TemplateIn):
    own: bool
    logo_url: str | None


def _rule_out(event) -> dict:
    rule = rule_for(event)
    report_roll_calls = held_roll_calls(event)  # the rule's M; nobody needs judging for it
    return {"min_roll_calls": rule.min_roll_calls, "min_connected_percent": rule.min_connected_percent,
            "combine": rule.combine, "description": describe_rule(rule), "roll_calls_held": len(report_roll_calls),
            "roll_calls_completed": sum(1 for rc in report_roll_calls if rc.ended)}


@router.get("/events/{event_id}/rule", response={200: RuleOut, **refusals(403, 404)},
            summary="The training's completion rule")
def get_rule(request, event_id: int):
    """The rule that decides who completed the training (N of the roll calls, and/or X % of the time
    connected), in words too, with how many roll calls were held and completed. Any account with a role.
    """
    return _rule_out(_event(request, event_id))


@router.put("/events/{event_id}/rule", response={200: RuleOut, **refusals(400, 403, 404)},
            summary="Set the completion rule (organizers)")
def put_rule(request, event_id: int, payload: RuleIn):
    """Sets the training's completion rule: a minimum of roll calls, a minimum connected share (0–100 %), and
    whether both or either must hold; an impossible value answers 400. Organizers only; written to the audit
    log.
    """
    event = _event(request, event_id, manage=True)
    services.save_rule(event, request=request, **payload.dict())
    return _rule_out(event)


@router.get("/events/{event_id}/eligibility", response={200: list[StandingOut], **refusals(403, 404)},
            summary="Who is (not) eligible and why, within the caller's scope")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_eligibility(request, event_id: int, status: str | None = None, district: str | None = None):
    """Every teacher of the caller's scope with whether they are eligible for a certificate and why: roll calls
    present out of held, the ones missed, the connected share, an override. Filtered by `status` (eligible,
    not) and `district`, paged. Any account with a role.
    """
    event = _event(request, event_id)
    code = clean_text(district) if district else ""
    chosen = scope.visible_districts(request.user).filter(code=code).first() if code else None
    if code and chosen is None:
        return []  # a district outside the caller's scope holds nobody they may see
    filters = Filters(status=status if status in STATUSES else "", district=chosen, district_code=code)
    # Paged by the pagination: only the people of the page asked for are judged (training.eligibility_list).
    return EligibilityList(event, scope_path=scope.scope_path(request.user), filters=filters)


@router.post("/events/{event_id}/overrides", response={200: StandingOut, **refusals(400, 403, 404)},
             summary="Override one person's eligibility with a reason (organizers)")
def post_override(request, event_id: int, payload: OverrideIn):
    """Makes one person eligible or not whatever the rule says, or (`eligible` null) removes the override so
    the rule decides again; a reason is required (400 without). Organizers only; written to the audit log.
    """
    event = _event(request, event_id, manage=True)
    person = get_object_or_404(scope.visible_people(request.user), pk=payload.person_id)
    # Only a teacher of this training has a standing to override (else 404, nothing written).
    if standing_of(event, person) is None:
        raise Http404
    if payload.eligible is None:
        services.clear_override(event, person, reason=payload.reason, request=request)
    else:
        services.set_override(event, person, eligible=payload.eligible, reason=payload.reason, request=request)
    return standing_of(event, person)


@router.post("/events/{event_id}/issue/dry-run", response={200: IssueOut, **refusals(400, 403, 404)},
             summary="How many would be issued now, without issuing (organizers)")
def issue_dry_run(request, event_id: int):
    """Counts the certificates an issue would create now (eligible people, and those who already have one)
    without issuing anything; 400 while no roll call is completed or one is still open. Organizers only.
    """
    event = _event(request, event_id, manage=True)
    return services.issue_certificates(event, request=request, dry_run=True).as_dict()


@router.post("/events/{event_id}/issue", response={200: JobOut, **refusals(400, 403, 404, 409, 429)},
             summary="Issue certificates to everyone eligible, as a background job (organizers)")
def issue(request, event_id: int, expected: int | None = None):
    """Starts a background job that issues a numbered certificate to everyone eligible who has none yet; safe
    to run again (only the newly eligible are added, a revoked certificate is not replaced). Issued
    certificates are never deleted, only revoked one by one. Ask `issue/dry-run` first and pass its `eligible`
    minus `skipped` as `expected`: when that many would no longer be issued, nothing starts and the answer is 409
    `count_changed` with the number now. 400 while no roll call is completed or one is still open.
    Organizers only; 429 while the caller's previous heavy job runs or past the daily number (core.jobs.limits).
    """
    event = _event(request, event_id, manage=True)
    if expected is not None:
        preview = services.issue_certificates(event, dry_run=True)
        confirm.require_expected(expected, preview.eligible - preview.skipped)
    services.require_issuable(evaluate(event))
    return job_out(core_jobs.start(ISSUE, params={"event_id": event.pk}, user=request.user))


@router.post("/events/{event_id}/print", response={200: JobOut, **refusals(400, 403, 404, 429)},
             summary="One merged PDF of the valid certificates in the caller's scope, as a job")
def print_merged(request, event_id: int, district: str | None = None):
    """Starts a background job that merges the valid certificates of the caller's scope (or of one `district`)
    into one PDF to print; the file is at /api/jobs/{id}/file when it is done. 400 when there is no valid
    certificate, 404 for an unknown district. Organizers and district officers; the read-only official is
    refused (403 `job_forbidden`); 429 while the caller's previous heavy job runs (`job_running`) or past
    the daily number (`job_daily_limit`), see core.jobs.limits.
    """
    event = _event(request, event_id)
    if not services.visible_certificates(request.user, event).filter(status=Certificate.Status.VALID).exists():
        raise HttpError(400, _("There is no valid certificate to print."))
    params = {"event_id": event.pk, "scope_path": scope.scope_path(request.user)}
    if district:
        bridge = scope.visible_districts(request.user).filter(code=clean_text(district)).first()
        if bridge is None:
            raise HttpError(404, _("Unknown district."))
        params["district_path"] = bridge.path
    return job_out(core_jobs.start(PRINT, params=params, user=request.user))


@router.get("/events/{event_id}/certificates", response={200: list[CertificateOut], **refusals(403, 404)},
            summary="Certificates of a training within the caller's scope")
@paginate  # core.pagination.Page (NINJA_PAGINATION_CLASS): limit and offset capped
def list_certificates(request, event_id: int, status: str | None = None):
    """The certificates of one training held by people of the caller's scope, in number order, valid and
    revoked (filter with `status`), each with its public verification link; paged. Any account with a role.
    """
    event = _event(request, event_id)
    certs = services.visible_certificates(request.user, event).order_by("year", "seq")
    if status:
        certs = certs.filter(status=status)
    return certs


def _certificate(request, certificate_id: int) -> Certificate:
    scope.require_role(request.user)
    return get_object_or_404(services.visible_certificates(request.user), pk=certificate_id)


@router.get("/certificates/{certificate_id}", response={200: CertificateOut, **refusals(403, 404)},
            summary="One certificate")
def get_certificate(request, certificate_id: int):
    """One certificate: number, holder, training, dates, status and verification link. Any account with a role
    whose scope covers the holder; any other certificate is a 404.
    """
    return _certificate(request, certificate_id)


@router.get("/certificates/{certificate_id}/pdf", response={200: None, **refusals(403, 404)},
            summary="The certificate as PDF",
            openapi_extra=file_response(PDF, description="The certificate, as an attachment."))
def get_certificate_pdf(request, certificate_id: int):
    """Downloads one certificate as the PDF its holder receives, with its QR code for verification. Any account
    with a role whose scope covers the holder; any other certificate is a 404.
    """
    return pdf_response(_certificate(request, certificate_id))


@router.post("/certificates/{certificate_id}/revoke", response={200: CertificateOut, **refusals(400, 403, 404)},
             summary="Revoke a certificate with a reason (organizers)")
def revoke_certificate(request, certificate_id: int, payload: RevokeIn):
    """Revokes a certificate: its verification then answers “revoked” with the date. A reason is required, and
    a certificate already revoked answers 400. Organizers only; written to the audit log.
    """
    scope.require_role(request.user, ORGANIZER)
    cert = _certificate(request, certificate_id)
    return services.revoke(cert, reason=payload.reason, request=request)


@router.post("/events/{event_id}/people/{person_id}/issue", response={200: CertificateOut, **refusals(400, 403, 404)},
             summary="Issue one eligible person's certificate, e.g. after a revocation (organizers)")
def issue_person(request, event_id: int, person_id: int):
    """Issues a certificate to one person now, for example after a revocation; 400 when the person is not
    eligible or already has a valid certificate. Organizers only.
    """
    event = _event(request, event_id, manage=True)
    person = get_object_or_404(scope.visible_people(request.user), pk=person_id)
    return services.issue_one(event, person, request=request)


def _template_out(event) -> dict:
    template = services.template_for(event)
    fields = {name: getattr(template, name) for name in TemplateIn.model_fields}
    return {**fields, "own": template.event_id == event.pk, "logo_url": template.logo.url if template.logo else None}


@router.get("/events/{event_id}/template", response={200: CertificateTemplateOut, **refusals(403, 404)},
            summary="The certificate template used for this training (its own or the default)")
def get_template(request, event_id: int):
    """The texts printed on this training's certificates (issuing body, title, completion text, signer, place,
    number format) and its logo; `own` says whether the training has its own or uses the default. Any
    account with a role.
    """
    return _template_out(_event(request, event_id))


@router.put("/events/{event_id}/template", response={200: CertificateTemplateOut, **refusals(400, 403, 404)},
            summary="Set this training's own certificate template (organizers; the logo is uploaded on the page)")
def put_template(request, event_id: int, payload: TemplateIn):
    """Gives the training its own certificate texts (the logo is uploaded on the page); a missing or wrong
    value (a number format without its counter) answers 400 with the reasons. Organizers only; written to
    the audit log.
    """
    from core import audit

    from .forms import TemplateForm
    from .models import CertificateTemplate

    event = _event(request, event_id, manage=True)
    template = CertificateTemplate.objects.filter(event=event).first() or CertificateTemplate(
        event=event, logo=services.template_for(event).logo)
    form = TemplateForm(payload.dict(), instance=template)
    form.fields["logo"].required = False
    if not form.is_valid():
        raise HttpError(400, " ".join(str(e) for errors in form.errors.values() for e in errors))
    saved = form.save()
    audit.record("training.template_saved", request=request, target=saved, summary=event.title[:200])
    return _template_out(event)


# --- Public ----------------------------------------------------------------------------------

@router.get("/verify/{code}", auth=None, response={200: VerifyOut, 400: VerifyOut, 404: VerifyOut, 429: VerifyOut},
            summary="Verify a certificate code (public, rate-limited)")
def verify(request, code: str):
    """Checks a certificate code from its QR: 200 with what the certificate shows (number, holder, training,
    dates) and `result` valid or revoked (with the date), 404 for an unknown code, 400 for a malformed one
    or a wrong check character. Each answer is a verification (`result`, `message`), not an error body.
    Public, without logging in, and rate-limited per address (429).
    """
    if ratelimits.limited(request, ratelimits.VERIFY):
        return Status(429, {"result": "rate_limited", "message": _("Too many requests; try again in a minute.")})
    return Status(*verification_answer(code))


@router.post("/self-service", auth=None, response={200: list[OwnCertificateOut], **refusals(404, 429)},
             summary="A teacher's own certificates by identifier and birth date (public, rate-limited)")
def self_service(request, payload: SelfServiceIn):
    """A teacher finds their own certificates by teacher identifier and birth date; the PDF links then work in
    this browser session. Public, without logging in; 404 when no teacher matches both, 429 when an address
    asks too often.
    """
    if ratelimits.limited(request, ratelimits.SELF_SERVICE):
        return Status(429, Refused(_("Too many requests; try again in a minute."), code="rate_limited").as_dict())
    person, certs = services.teacher_certificates(payload.teacher_id, payload.birth_date)
    if person is None:
        return Status(404, Refused(_("Not found."), code="not_found").as_dict())
    # The PDF links work in this browser session, like the self-service page.
    from .public_views import SESSION_KEY

    request.session.cycle_key()
    request.session[SESSION_KEY] = person.pk
    return Status(200, [{
        "number": c.number, "status": c.status, "training_title": c.training_title, "issued_at": c.issued_at,
        "pdf_url": reverse("my_certificate_pdf", args=[c.pk]) if c.is_valid else None} for c in certs])
