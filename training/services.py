"""Completion rules, overrides, issuing and revoking certificates, looking them up."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges import scope
from bridges.identifiers import clean_identifier
from bridges.models import Person
from core import audit
from core.text import clean_text
from events.models import Event

from . import codes, tallies
from . import number_format as number_format_language
from .eligibility import Report, Standing, evaluate
from .errors import TrainingError
from .models import Certificate, CertificateCounter, CertificateTemplate, CompletionRule, Override

ISSUE_BATCH = 500


# --- Rule and overrides ----------------------------------------------------------------------

def save_rule(event: Event, *, min_roll_calls: int | None, min_connected_percent: int | None, combine: str,
              request=None) -> CompletionRule:
    if min_connected_percent is not None and not 0 <= min_connected_percent <= 100:
        raise TrainingError(_("The connected share must be between 0 and 100 %."))
    if min_roll_calls is not None and min_roll_calls < 0:
        raise TrainingError(_("The number of roll calls cannot be negative."))
    if combine not in CompletionRule.Combine.values:
        raise TrainingError(_("Choose how the two conditions combine."))
    rule, _created = CompletionRule.objects.update_or_create(event=event, defaults={
        "min_roll_calls": min_roll_calls, "min_connected_percent": min_connected_percent, "combine": combine})
    tallies.mark(event.pk)
    audit.record("training.rule_saved", request=request, target=event, summary=event.title[:200], details={
        "min_roll_calls": min_roll_calls, "min_connected_percent": min_connected_percent, "combine": combine})
    return rule


def set_override(event: Event, person: Person, *, eligible: bool, reason: str, request=None) -> Override:
    reason = clean_text(reason)
    if not reason:
        raise TrainingError(_("An override needs a reason."))
    user = getattr(request, "user", None)
    override, _created = Override.objects.update_or_create(event=event, person=person, defaults={
        "eligible": eligible, "reason": reason[:500], "by": user if user is not None and user.is_authenticated else None})
    tallies.mark(event.pk, [person.bridge_id])
    audit.record("training.override", request=request, target=person,
                 summary=f"{event.title[:150]}: {'eligible' if eligible else 'not eligible'}",
                 details={"event_id": event.pk, "eligible": eligible, "reason": reason})
    return override


def clear_override(event: Event, person: Person, *, reason: str, request=None) -> None:
    reason = clean_text(reason)
    if not reason:
        raise TrainingError(_("Removing an override needs a reason."))
    deleted, _rows = Override.objects.filter(event=event, person=person).delete()
    if not deleted:
        raise TrainingError(_("This person has no override in this training."), code="not_found", status=404)
    tallies.mark(event.pk, [person.bridge_id])
    audit.record("training.override_removed", request=request, target=person, summary=event.title[:200],
                 details={"event_id": event.pk, "reason": reason})


# --- Templates and numbers -------------------------------------------------------------------

def template_for(event: Event) -> CertificateTemplate:
    """The training's own template, else the default one, else the built-in wording (unsaved)."""
    own = CertificateTemplate.objects.filter(event=event).first()
    if own is not None:
        return own
    return CertificateTemplate.objects.filter(event__isnull=True).order_by("pk").first() or CertificateTemplate()


def format_number(number_format: str, seq: int, year: int, event_id: int = 0) -> str:
    """A certificate's number from the template's format (training.number_format: {seq}, {seq:04d}, {year},
    {event} and text, never str.format)."""
    return number_format_language.render(number_format, seq=seq, year=year, event_id=event_id)


def check_number_format(number_format: str) -> str:
    """The format as saved (form and API): cleaned, and refused with the placeholder that is not allowed."""
    number_format = clean_text(number_format)
    number_format_language.parse(number_format)
    return number_format


# --- Issuing ---------------------------------------------------------------------------------

@dataclass
class IssueResult:
    eligible: int = 0
    issued: int = 0
    skipped: int = 0  # eligible, but a certificate (valid or revoked) exists already

    def as_dict(self) -> dict:
        return {"eligible": self.eligible, "issued": self.issued, "skipped": self.skipped}


def require_issuable(report: Report) -> None:
    if report.completed == 0:
        raise TrainingError(_("No roll call of this training has been completed yet, so nobody can have "
                              "completed it: certificates are issued after the roll calls."))
    if report.open_roll_calls:
        raise TrainingError(_("Roll call %(labels)s is still open; issue certificates after it closes.") % {
            "labels": ", ".join(report.open_roll_calls)})


def _new_codes(count: int) -> list[str]:
    # 60 random bits make a clash practically impossible; checking keeps "practically" out of it.
    while True:
        fresh = {codes.new_code() for _i in range(count)}
        if len(fresh) == count and not Certificate.objects.filter(code__in=fresh).exists():
            return list(fresh)


def _certificate(event: Event, standing: Standing, seq: int, year: int, code: str, now, template, user) -> Certificate:
    """A certificate row carrying a snapshot of what it prints, so later roster edits do not change it."""
    return Certificate(
        event=event, person_id=standing.person_id, seq=seq, year=year,
        number=format_number(template.number_format, seq, year, event.pk), code=code, issued_at=now, issued_by=user,
        holder_name=clean_text(standing.full_name), holder_birth_date=standing.birth_date,
        school_name=clean_text(standing.school_name), training_title=clean_text(event.title),
        training_starts=timezone.localdate(event.starts_at), training_ends=timezone.localdate(event.ends_at),
    )


def _issue_batch(event: Event, batch: list[Standing], template: CertificateTemplate, user) -> int:
    now = timezone.now()
    year = timezone.localdate(now).year
    with transaction.atomic():
        # The counter row lock serializes concurrent issuers of this training (PostgreSQL); on SQLite
        # the IMMEDIATE transaction already holds the database's write lock.
        counter, _created = CertificateCounter.objects.select_for_update().get_or_create(event=event, year=year)
        taken = set(Certificate.objects.filter(event=event, person_id__in=[s.person_id for s in batch])
                    .values_list("person_id", flat=True))
        fresh = [s for s in batch if s.person_id not in taken]
        if not fresh:
            return 0
        first = counter.last_seq + 1
        certificates = [
            _certificate(event, s, first + i, year, code, now, template, user)
            for i, (s, code) in enumerate(zip(fresh, _new_codes(len(fresh)), strict=True))
        ]
        Certificate.objects.bulk_create(certificates)
        tallies.mark(event.pk, {s.bridge_id for s in fresh})
        counter.last_seq = first + len(fresh) - 1
        counter.save(update_fields=["last_seq"])
    return len(fresh)


def issue_certificates(event: Event, *, request=None, user=None, dry_run: bool = False,
                       progress: Callable[[int, int], None] | None = None) -> IssueResult:
    """Issue a certificate to everyone eligible who has none yet. Safe to run again: it only adds the
    newly eligible. A revoked certificate is not replaced by a bulk run (issue one by hand)."""
    report = evaluate(event)
    require_issuable(report)
    eligible = [s for s in report.standings if s.eligible]
    have = set(Certificate.objects.filter(event=event).values_list("person_id", flat=True))
    todo = [s for s in eligible if s.person_id not in have]
    result = IssueResult(eligible=len(eligible), skipped=len(eligible) - len(todo))
    if dry_run:
        return result
    user = user or (request.user if request is not None and request.user.is_authenticated else None)
    template = template_for(event)
    format_number(template.number_format, 1, 2025)
    for start in range(0, len(todo), ISSUE_BATCH):
        batch = todo[start:start + ISSUE_BATCH]
        issued = _issue_batch(event, batch, template, user)
        result.issued += issued
        result.skipped += len(batch) - issued
        if progress is not None:
            progress(start + len(batch), len(todo))
    audit.record("training.certificates_issued", request=request, user=user, target=event,
                 summary=_("%(issued)s certificates issued") % {"issued": result.issued}, details=result.as_dict())
    return result


def issue_one(event: Event, person: Person, *, request=None) -> Certificate:
    """Issue to one eligible person who has no valid certificate (e.g. after a revocation)."""
    report = evaluate(event)
    require_issuable(report)
    standing = next((s for s in report.standings if s.person_id == person.pk), None)
    if standing is None or not standing.eligible:
        raise TrainingError(_("%(name)s is not eligible for a certificate of this training.") % {"name": person.full_name})
    if Certificate.objects.filter(event=event, person=person, status=Certificate.Status.VALID).exists():
        raise TrainingError(_("%(name)s already has a valid certificate.") % {"name": person.full_name})
    user = request.user if request is not None and request.user.is_authenticated else None
    template = template_for(event)
    now = timezone.now()
    year = timezone.localdate(now).year
    try:
        with transaction.atomic():
            # Unlike a bulk run this issues even when a revoked certificate exists.
            counter, _created = CertificateCounter.objects.select_for_update().get_or_create(event=event, year=year)
            counter.last_seq += 1
            counter.save(update_fields=["last_seq"])
            certificate = _certificate(event, standing, counter.last_seq, year, _new_codes(1)[0], now, template, user)
            certificate.save()
            tallies.mark(event.pk, [person.bridge_id])
    except IntegrityError as exc:  # issued at the same moment by someone else
        raise TrainingError(_("%(name)s already has a valid certificate.") % {"name": person.full_name}) from exc
    audit.record("training.certificate_issued", request=request, target=certificate, summary=certificate.number,
                 details={"event_id": event.pk, "person_id": person.pk})
    return certificate


def revoke(certificate: Certificate, *, reason: str, request=None) -> Certificate:
    reason = clean_text(reason)
    if not reason:
        raise TrainingError(_("A revocation needs a reason."))
    if certificate.status == Certificate.Status.REVOKED:
        raise TrainingError(_("This certificate is already revoked."))
    user = getattr(request, "user", None)
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason[:500]
    certificate.revoked_by = user if user is not None and user.is_authenticated else None
    certificate.save(update_fields=["status", "revoked_at", "revoke_reason", "revoked_by"])
    if certificate.person_id:
        tallies.mark_people(certificate.event_id, [certificate.person_id])
    # The number identifies it in the log; the code is a secret and stays out.
    audit.record("training.certificate_revoked", request=request, target=certificate, summary=certificate.number,
                 details={"event_id": certificate.event_id, "reason": reason})
    return certificate


# --- Looking certificates up -----------------------------------------------------------------

def find_by_code(raw: str) -> Certificate | None:
    """The certificate for a typed or scanned code; raises codes.MalformedCode / BadCheckCharacter."""
    code = codes.normalize(raw)
    return Certificate.objects.filter(code=code).first()


def teacher_certificates(teacher_id: str, birth_date: date | None) -> tuple[Person | None, QuerySet[Certificate]]:
    """A teacher's own certificates, found by identifier AND birth date; a wrong pair finds nothing."""
    teacher_id = clean_identifier(teacher_id)
    if not teacher_id or birth_date is None:
        return None, Certificate.objects.none()
    person = Person.objects.with_teacher_ids([teacher_id]).filter(birth_date=birth_date).first()
    if person is None:
        return None, Certificate.objects.none()
    return person, certificates_of(person)


def certificates_of(person: Person) -> QuerySet[Certificate]:
    return Certificate.objects.filter(person=person).select_related("event").order_by("-issued_at")


def visible_certificates(user, event=None):
    """Certificates of the people in the user's scope (of one event, if given): the one scope rule for them."""
    certs = Certificate.objects.select_related("event", "person__bridge")
    if event is not None:
        certs = certs.filter(event=event)
    path = scope.scope_path(user)
    if path:
        certs = certs.filter(person__bridge__path__startswith=path)
    return certs
