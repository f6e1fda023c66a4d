"""Organizer pages: completion rule, eligibility with overrides, bulk issue, printing, revocation, template.

Organizers change things; district officers and officials read what lies in their scope.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from bridges import scope
from bridges.models import Person, Role
from core import confirm
from core import jobs as core_jobs
from core.confirm import Confirmation
from core.jobs.access import visible_jobs
from core.jobs.limits import JobRefused
from core.text import clean_text, fold
from events.access import get_event, visible_events
from events.kinds import training_q
from events.models import Event

from . import services, tallies
from .certificate_pdf import certificate_pdf, pdf_response
from .eligibility import describe_rule, held_roll_calls, rule_for
from .eligibility_list import STATUSES, EligibilityList, Filters, standing_of
from .errors import TrainingError
from .forms import OverrideForm, RevokeForm, RuleForm, TemplateForm
from .jobs import ISSUE, PRINT, print_queryset
from .models import Certificate, CertificateTemplate

ORGANIZER = Role.Kind.ORGANIZER
PAGE_SIZE = 100


def _event(request, event_id: int, *, manage: bool = False) -> Event:
    return get_event(request.user, event_id, manage=manage)


def _latest_job(user, kind: str, event: Event):
    # Only jobs the user may see: a print job's file holds the certificates of its creator's scope.
    return visible_jobs(user).filter(kind=kind, params__event_id=event.pk).order_by("-created_at").first()


def _refused(request, exc: TrainingError):
    messages.error(request, exc.user_message)


@login_required
def training_list(request):
    scope.require_role(request.user)
    events = visible_events(request.user).annotate(
        certificate_count=Count("certificates", filter=Q(certificates__status=Certificate.Status.VALID)))
    shown = events.filter(training_q() | Q(certificate_count__gt=0)).order_by("-starts_at")
    return render(request, "training/training_list.html", {"events": shown})


@login_required
def training_detail(request, event_id: int):
    event = _event(request, event_id)
    # The numbers come from the read model (training.tallies), summed per district; nobody is judged here.
    districts, total = tallies.completion_by_district(event, path=scope.scope_path(request.user))
    for row in [*districts, total]:
        row["not_completed"] = row["teachers"] - row["completed"]
        row["completed_pct"] = 100 * row["completed"] / row["teachers"] if row["teachers"] else None
        row["certificates_pct"] = 100 * row["certificates"] / row["teachers"] if row["teachers"] else None
    certs = services.visible_certificates(request.user, event)
    counts = dict(certs.values_list("status").annotate(n=Count("pk")).order_by())
    rule = rule_for(event)
    roll_calls = held_roll_calls(event)
    eligible = total["completed"]
    return render(request, "training/training_detail.html", {
        "event": event, "roll_calls": roll_calls, "rule": rule, "rule_text": describe_rule(rule),
        "completion": districts, "completion_total": total,
        "rule_form": RuleForm(initial={"min_roll_calls": rule.min_roll_calls,
                                       "min_connected_percent": rule.min_connected_percent, "combine": rule.combine}),
        "people": total["teachers"], "eligible": eligible, "not_eligible": total["teachers"] - eligible,
        "valid": counts.get(Certificate.Status.VALID, 0), "revoked": counts.get(Certificate.Status.REVOKED, 0),
        "issue_job": _latest_job(request.user, ISSUE, event), "print_job": _latest_job(request.user, PRINT, event),
        "districts": scope.visible_districts(request.user), "can_manage": scope.is_organizer(request.user),
        "can_print": scope.may_start_heavy_jobs(request.user),
    })


@login_required
@require_POST
def save_rule(request, event_id: int):
    event = _event(request, event_id, manage=True)
    form = RuleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("training:detail", event_id=event.pk)
    try:
        services.save_rule(event, request=request, **form.cleaned_data)
    except TrainingError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The completion rule was saved."))
    return redirect("training:detail", event_id=event.pk)


def _list_filters(request) -> Filters:
    status = request.GET.get("status", "")
    code = clean_text(request.GET.get("district"))
    district = scope.visible_districts(request.user).filter(code=code).first() if code else None
    return Filters(status=status if status in STATUSES else "", district=district,
                   query=clean_text(request.GET.get("q")), district_code=code)


@login_required
def eligibility(request, event_id: int):
    event = _event(request, event_id)
    filters = _list_filters(request)
    # Only the people of the page asked for are judged (training.eligibility_list), within the viewer's scope.
    if filters.district_code and filters.district is None:
        standings = []  # a district outside the viewer's scope holds nobody they may see (as in the API)
    else:
        standings = EligibilityList(event, scope_path=scope.scope_path(request.user), filters=filters)
    page = Paginator(standings, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [s.person_id for s in page]
    certs = {}
    for cert in Certificate.objects.filter(event=event, person_id__in=ids).order_by("issued_at"):
        # The valid one wins over an older revoked one.
        if cert.person_id not in certs or cert.is_valid:
            certs[cert.person_id] = cert
    rows = [(s, certs.get(s.person_id)) for s in page]
    shown = {"status": filters.status, "district": filters.district_code, "q": filters.query}
    query_string = urlencode({k: v for k, v in shown.items() if v})
    rule = rule_for(event)
    return render(request, "training/eligibility.html", {
        "event": event, "held": len(held_roll_calls(event)), "page": page, "rows": rows, "filters": shown,
        "query_string": query_string, "districts": scope.visible_districts(request.user), "total": len(standings),
        "rule_text": describe_rule(rule), "can_manage": scope.is_organizer(request.user),
    })


@login_required
def person_standing(request, event_id: int, person_id: int):
    """One person's standing: why (not) eligible; organizers set or clear an override here."""
    event = _event(request, event_id)
    person = get_object_or_404(scope.visible_people(request.user).select_related("bridge"), pk=person_id)
    standing = standing_of(event, person)
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        scope.require_role(request.user, ORGANIZER)
        if form.is_valid():
            decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
            try:
                if decision == "clear":
                    services.clear_override(event, person, reason=reason, request=request)
                else:
                    services.set_override(event, person, eligible=decision == "eligible", reason=reason,
                                          request=request)
            except TrainingError as exc:
                _refused(request, exc)
            else:
                messages.success(request, _("The decision for %(name)s was saved.") % {"name": person.full_name})
                return redirect("training:person", event_id=event.pk, person_id=person.pk)
    return render(request, "training/person.html", {
        "event": event, "person": person, "standing": standing, "form": form,
        "certificates": Certificate.objects.filter(event=event, person=person).order_by("-issued_at"),
        "can_manage": scope.is_organizer(request.user),
    })


@login_required
@require_POST
def issue_person(request, event_id: int, person_id: int):
    event = _event(request, event_id, manage=True)
    person = get_object_or_404(Person, pk=person_id)
    try:
        cert = services.issue_one(event, person, request=request)
    except TrainingError as exc:
        _refused(request, exc)
        return redirect("training:person", event_id=event.pk, person_id=person.pk)
    messages.success(request, _("Certificate %(number)s was issued.") % {"number": cert.number})
    return redirect("training:certificate", pk=cert.pk)


def _detail_url(event: Event, section: str) -> str:
    return reverse("training:detail", kwargs={"event_id": event.pk}) + f"#{section}"


@login_required
@require_http_methods(["GET", "POST"])
def start_issue(request, event_id: int):
    """Asked first (core.confirm): how many certificates would be issued now, and that they stay."""
    event = _event(request, event_id, manage=True)
    back = _detail_url(event, "issue")
    try:
        preview = services.issue_certificates(event, dry_run=True)
    except TrainingError as exc:
        _refused(request, exc)
        return redirect(back)
    count = preview.eligible - preview.skipped
    if confirm.must_ask(request, count):
        return confirm.ask(request, _issue_confirmation(request, preview, count, back))
    try:
        core_jobs.start(ISSUE, params={"event_id": event.pk}, user=request.user)
    except JobRefused as exc:
        messages.error(request, exc.message)
    return redirect(back)


def _issue_confirmation(request, preview, count: int, back: str) -> Confirmation:
    n = confirm.number(count)
    notes = []
    if preview.skipped:
        notes.append(ngettext("%(n)s eligible person already has a certificate (valid or revoked) and is skipped.",
                              "%(n)s eligible people already have a certificate (valid or revoked) and are skipped.",
                              preview.skipped) % {"n": confirm.number(preview.skipped)})
    return Confirmation(
        title=_("Issue certificates"), count=count,
        summary=ngettext("%(n)s certificate will be issued now, to the eligible person who has none yet.",
                         "%(n)s certificates will be issued now, to the eligible people who have none yet.",
                         count) % {"n": n} if count else _("Nobody eligible is waiting for a certificate."),
        consequence=_("Each one gets its number and a verification code that works at once. An issued "
                      "certificate is never deleted: it can only be revoked, one by one, with a reason."),
        notes=notes, action_url=request.path, cancel_url=back, section="issue", allowed=count > 0,
        button=ngettext("Issue %(n)s certificate", "Issue %(n)s certificates", count) % {"n": n},
    )


def _print_scope(request, event: Event):
    """The print job's parameters for what the caller may print (one district of theirs, or all of it)."""
    params = {"event_id": event.pk, "scope_path": scope.scope_path(request.user)}
    source = request.POST if request.method == "POST" else request.GET
    district = scope.visible_districts(request.user).filter(code=clean_text(source.get("district"))).first()
    if district is not None:
        params["district_path"] = district.path
    return params, district


@login_required
@require_http_methods(["GET", "POST"])
def start_print(request, event_id: int):
    """Asked first: how many certificates the PDF will hold (nothing changes; the file is heavy)."""
    event = _event(request, event_id)
    back = _detail_url(event, "print")
    params, district = _print_scope(request, event)
    count = print_queryset(event, params.get("district_path"), params.get("scope_path")).count()
    if not count:
        messages.error(request, _("There is no valid certificate to print."))
        return redirect(back)
    # A read-only account is not asked: starting refuses it with the reason (core.jobs.limits).
    if confirm.must_ask(request, count) and scope.may_start_heavy_jobs(request.user):
        n = confirm.number(count)
        where = district.name if district else _("everything you can see")
        return confirm.ask(request, Confirmation(
            title=_("One PDF for printing"), count=count,
            summary=ngettext("One PDF of %(n)s certificate (%(where)s) will be made.",
                             "One PDF of %(n)s certificates (%(where)s) will be made, one page each.",
                             count) % {"n": n, "where": where},
            consequence=_("Nothing is changed or sent. Drawing the pages takes a while; the file holds personal "
                          "data and is kept for a limited time: download it, then keep the paper safe."),
            action_url=request.path, cancel_url=back, section="print",
            button=ngettext("Make the PDF of %(n)s certificate", "Make the PDF of %(n)s certificates", count) % {"n": n},
        ))
    try:
        core_jobs.start(PRINT, params=params, user=request.user)
    except JobRefused as exc:
        messages.error(request, exc.message)
    return redirect(back)


@login_required
def certificate_list(request, event_id: int):
    event = _event(request, event_id)
    certs = services.visible_certificates(request.user, event).order_by("year", "seq")
    status = request.GET.get("status", "")
    if status in Certificate.Status.values:
        certs = certs.filter(status=status)
    query = clean_text(request.GET.get("q"))
    if query:
        certs = certs.filter(Q(person__name_key__contains=fold(query)) | Q(number__icontains=query)
                             | Q(person__teacher_id__startswith=query))
    page = Paginator(certs, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = "&".join(f"{k}={v}" for k, v in {"status": status, "q": query}.items() if v)
    return render(request, "training/certificate_list.html", {
        "event": event, "page": page, "status": status, "query": query, "query_string": query_string})


def _certificate(request, pk: int) -> Certificate:
    scope.require_role(request.user)
    return get_object_or_404(services.visible_certificates(request.user), pk=pk)


@login_required
def certificate_detail(request, pk: int):
    cert = _certificate(request, pk)
    return render(request, "training/certificate_detail.html", {
        "cert": cert, "form": RevokeForm(), "can_manage": scope.is_organizer(request.user)})


@login_required
def certificate_download(request, pk: int):
    cert = _certificate(request, pk)
    return pdf_response(cert)


@login_required
@require_POST
def revoke(request, pk: int):
    scope.require_role(request.user, ORGANIZER)
    cert = _certificate(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return render(request, "training/certificate_detail.html",
                      {"cert": cert, "form": form, "can_manage": True}, status=400)
    if confirm.must_ask(request, 1):
        return confirm.ask(request, Confirmation(
            title=_("Revoke certificate %(number)s") % {"number": cert.number}, count=1,
            summary=_("The certificate of %(name)s (%(number)s) will be revoked, for this reason: “%(reason)s”.") % {
                "name": cert.holder_name, "number": cert.number, "reason": form.cleaned_data["reason"]},
            consequence=_("This cannot be undone. Its QR code and verification page will answer “revoked” from now "
                          "on; a new certificate can be issued to the person afterwards."),
            action_url=request.path, cancel_url=reverse("training:certificate", args=[cert.pk]),
            button=_("Revoke this certificate"), danger=True,
        ))
    try:
        services.revoke(cert, reason=form.cleaned_data["reason"], request=request)
    except TrainingError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Certificate %(number)s was revoked.") % {"number": cert.number})
    return redirect("training:certificate", pk=cert.pk)


@login_required
def template_edit(request, event_id: int):
    """The training's own certificate template; the first save copies the default one."""
    event = _event(request, event_id, manage=True)
    template = CertificateTemplate.objects.filter(event=event).first()
    if template is None:
        base = services.template_for(event)
        template = CertificateTemplate(
            event=event, issuer=base.issuer, motto=base.motto, title=base.title,
            completion_text=base.completion_text, signer_title=base.signer_title, signer_name=base.signer_name,
            place=base.place, number_format=base.number_format, logo=base.logo)
    form = TemplateForm(request.POST or None, request.FILES or None, instance=template)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        from core import audit

        audit.record("training.template_saved", request=request, target=saved, summary=event.title[:200])
        messages.success(request, _("The certificate template was saved."))
        return redirect("training:detail", event_id=event.pk)
    return render(request, "training/template_form.html", {"event": event, "form": form})


@login_required
def template_preview(request, event_id: int):
    """A sample certificate drawn with the training's template, to check the layout."""
    event = _event(request, event_id, manage=True)
    from django.utils import timezone

    year = timezone.localdate().year
    sample = Certificate(
        event=event, number=services.format_number(services.template_for(event).number_format, 1, year, event.pk),
        seq=1, year=year, code="0000000000000", issued_at=timezone.now(),
        holder_name="Nguyễn Thị Thu Hằng", school_name=_("Sample school"), training_title=event.title,
        training_starts=timezone.localdate(event.starts_at), training_ends=timezone.localdate(event.ends_at),
    )
    response = HttpResponse(certificate_pdf(sample), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="mau-giay-chung-nhan.pdf"'
    return response

