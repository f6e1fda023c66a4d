"""School reports: forms and their versions, rounds and who must answer them, series that open a round
per period, drafts and submissions. Every surface (designer page, API, console) calls these.

Answers are checked by schoolreports.validation only; a form's fields by schoolreports.definition.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.services import idempotency
from bridges import scope
from bridges.models import Bridge, Tier
from bridges.services import console_actor
from core import attachments, audit
from core.audit import client_ip
from core.errors import Refused
from core.text import clean_text
from events import access, participation
from events.models import Event
from events.services.readiness import latest_test

from . import catalogue
from . import definition as d
from .access import require_reader
from .models import (
    Audience,
    FormVersion,
    ReportAnswer,
    ReportAttachment,
    ReportForm,
    ReportRound,
    ReportSubmission,
    RoundSeries,
)
from .validation import SchoolFacts, check

MAX_TYPED_BY = 120


class ReportRefused(Refused):
    """Refused input; `errors` maps a field (or "" for the whole request) to the reason."""

    code = "school_report_refused"

    def __init__(self, errors: dict[str, str], status: int = 400):
        self.errors = errors
        super().__init__(" ".join(errors.values()), fields={k: [v] for k, v in errors.items()}, status=status)


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- Forms and versions ----------------------------------------------------------------------------

def _title(title: str, errors: dict) -> str:
    title = clean_text(title)[:255]
    if not title:
        errors["title"] = _("Give the report a title.")
    return title


def create_form(*, title: str, description: str = "", definition: dict | None = None, template_key: str = "",
                request=None, action: str = "schoolreport.form_create") -> ReportForm:
    errors: dict[str, str] = {}
    title = _title(title, errors)
    if errors:
        raise ReportRefused(errors)
    cleaned = d.clean_definition(definition) if definition is not None else d.empty_definition()
    with transaction.atomic():
        form = ReportForm.objects.create(title=title, description=str(description or "").strip()[:4000],
                                         template_key=template_key, created_by=_user(request))
        FormVersion.objects.create(form=form, number=1, definition=cleaned, created_by=_user(request))
    audit.record(action, request=request, target=form, summary=title[:200],
                 details={"template": template_key, "fields": len(d.fields_of(cleaned))})
    return form


def copy_template(key: str, *, request=None) -> ReportForm:
    shipped = catalogue.template(key)
    if shipped is None:
        raise ReportRefused({"template": _("There is no such template.")}, status=404)
    title, definition = shipped
    return create_form(title=title, definition=definition, template_key=key, request=request,
                       action="schoolreport.form_copy")


def update_form(form: ReportForm, *, title: str, description: str = "", request=None) -> ReportForm:
    errors: dict[str, str] = {}
    form.title = _title(title, errors)
    if errors:
        raise ReportRefused(errors)
    form.description = str(description or "").strip()[:4000]
    form.save(update_fields=["title", "description", "updated_at"])
    audit.record("schoolreport.form_update", request=request, target=form, summary=form.title[:200])
    return form


def has_answers(version: FormVersion) -> bool:
    return ReportAnswer.objects.filter(version=version).exists()


def save_definition(form: ReportForm, raw, *, request=None) -> FormVersion:
    """Keep new fields for the form: the latest version is changed in place while nobody has answered it;
    once someone has (a draft counts), a new version is made, and rounds nobody has answered yet follow it."""
    cleaned = d.clean_definition(raw)
    with transaction.atomic():
        ReportForm.objects.select_for_update().filter(pk=form.pk).first()
        latest = form.latest_version()
        if latest is not None and not has_answers(latest):
            latest.definition = cleaned
            latest.save(update_fields=["definition"])
            version, new = latest, False
        else:
            version = FormVersion.objects.create(form=form, number=(latest.number + 1) if latest else 1,
                                                 definition=cleaned, created_by=_user(request))
            new = True
            ReportRound.objects.filter(form=form).exclude(answers__isnull=False).update(version=version)
        form.save(update_fields=["updated_at"])
    audit.record("schoolreport.fields", request=request, target=form, summary=form.title[:200],
                 details={"version": version.number, "new_version": new, "fields": len(d.fields_of(cleaned))})
    return version


# --- Who must answer -------------------------------------------------------------------------------

def _audience(kind: str, districts, tier, bridges, errors: dict, event=None) -> dict:
    if kind not in Audience.Kind.values:
        errors["audience"] = _("Choose who must answer.")
        return {}
    districts = list(districts or [])
    bridges = list(bridges or [])
    if kind == Audience.Kind.DISTRICTS and not districts:
        errors["districts"] = _("Choose at least one district.")
    if kind == Audience.Kind.DISTRICTS and any(b.tier.role != Tier.Role.INTERMEDIATE for b in districts):
        errors["districts"] = _("Only intermediate bridges (districts) can be chosen here.")
    if kind == Audience.Kind.TIER and tier is None:
        errors["tier"] = _("Choose the tier.")
    if kind == Audience.Kind.LIST and not bridges:
        errors["bridges"] = _("List at least one bridge.")
    if kind == Audience.Kind.INVITEES and event is None:
        errors["event"] = _("Choose the event whose invitees must answer.")
    chosen = districts if kind == Audience.Kind.DISTRICTS else bridges if kind == Audience.Kind.LIST else []
    return {"audience": kind, "tier": tier if kind == Audience.Kind.TIER else None, "bridges": chosen,
            "event": event if kind == Audience.Kind.INVITEES else None}


def _set_audience(obj: Audience, audience: dict) -> None:
    obj.audience_bridges.set(audience["bridges"])


def expected_bridges(item: Audience) -> QuerySet[Bridge]:
    """The bridges a round (or series) asks: every school, the schools of the chosen districts, the bridges
    of a tier, the listed ones, or the schools invited to an event that did not decline
    (`events.participation.invitees`, as follow-ups ask)."""
    if item.audience == Audience.Kind.ALL:
        return Bridge.objects.filter(tier__role=Tier.Role.SCHOOL)
    if item.audience == Audience.Kind.INVITEES:
        if not item.audience_event_id:
            return Bridge.objects.none()
        return participation.invitees(item.audience_event_id).filter(tier__role=Tier.Role.SCHOOL)
    if item.audience == Audience.Kind.TIER:
        return Bridge.objects.filter(tier_id=item.audience_tier_id)
    chosen = list(item.audience_bridges.all())
    if item.audience == Audience.Kind.LIST:
        return Bridge.objects.filter(pk__in=[b.pk for b in chosen])
    under = Q(pk__in=[])
    for district in chosen:
        under |= Q(path__startswith=district.path)
    return Bridge.objects.filter(under, tier__role=Tier.Role.SCHOOL)


def is_asked(item: Audience, bridge: Bridge) -> bool:
    """`expected_bridges` for one bridge, without a query per round (audience_bridges prefetched)."""
    if item.audience == Audience.Kind.ALL:
        return bridge.tier.role == Tier.Role.SCHOOL
    if item.audience == Audience.Kind.TIER:
        return bridge.tier_id == item.audience_tier_id
    if item.audience == Audience.Kind.INVITEES:
        return (bool(item.audience_event_id) and bridge.tier.role == Tier.Role.SCHOOL
                and participation.is_invitee(item.audience_event_id, bridge))
    chosen = list(item.audience_bridges.all())
    if item.audience == Audience.Kind.LIST:
        return any(b.pk == bridge.pk for b in chosen)
    return bridge.tier.role == Tier.Role.SCHOOL and any(bridge.path.startswith(b.path) for b in chosen)


def audience_text(item: Audience) -> str:
    if item.audience == Audience.Kind.ALL:
        return _("All schools")
    if item.audience == Audience.Kind.TIER:
        return _("Tier: %(tier)s") % {"tier": item.audience_tier.label if item.audience_tier else "?"}
    if item.audience == Audience.Kind.INVITEES:
        return _("Invitees of: %(event)s") % {"event": item.audience_event.title if item.audience_event else "?"}
    names = ", ".join(b.name for b in item.audience_bridges.all()[:5])
    return (_("Districts: %(names)s") if item.audience == Audience.Kind.DISTRICTS else _("Bridges: %(names)s")) % {
        "names": names}


# --- Rounds ----------------------------------------------------------------------------------------

def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)  # typed in the province's local time
    return value


def publish_round(form: ReportForm, *, title: str = "", deadline: datetime | None, opens_at: datetime | None = None,
                  closes_at: datetime | None = None, audience: str = Audience.Kind.ALL, districts=(), tier=None,
                  bridges=(), event=None, series: RoundSeries | None = None, period_start: date | None = None,
                  request=None, now: datetime | None = None) -> ReportRound:
    now = now or timezone.now()
    deadline, opens_at, closes_at = _aware(deadline), _aware(opens_at) or now, _aware(closes_at)
    errors: dict[str, str] = {}
    title = clean_text(title)[:255] or form.title
    version = form.latest_version()
    if version is None or not d.fields_of(version.definition):
        errors[""] = _("The form has no field yet: add its fields before publishing it.")
    if deadline is None:
        errors["deadline"] = _("Give a deadline.")
    elif deadline <= now and series is None:
        errors["deadline"] = _("The deadline must be in the future.")
    elif deadline <= opens_at:
        errors["deadline"] = _("The deadline must come after the round opens.")
    if closes_at is not None and deadline is not None and closes_at < deadline:
        errors["closes_at"] = _("The round cannot close before its deadline.")
    chosen = _audience(audience, districts, tier, bridges, errors, event)
    if errors:
        raise ReportRefused(errors)
    with transaction.atomic():
        round_ = ReportRound.objects.create(
            form=form, version=version, title=title, opens_at=opens_at, deadline=deadline, closes_at=closes_at,
            audience=chosen["audience"], audience_tier=chosen["tier"], audience_event=chosen["event"], series=series,
            period_start=period_start,
            created_by=_user(request))
        _set_audience(round_, chosen)
    # A series' round opened by the daily command has no request: the audit names who set the series up.
    opener = series.created_by if request is None and series is not None else None
    audit.record("schoolreport.publish", request=request, user=opener, target=round_, summary=title[:200],
                 details={"form": form.pk, "version": version.number, "deadline": deadline.isoformat(),
                          "audience": chosen["audience"], "bridges": [b.pk for b in chosen["bridges"]][:200],
                          "event": chosen["event"].pk if chosen["event"] else None,
                          "series": series.pk if series else None})
    return round_


def close_round(round_: ReportRound, *, request=None) -> ReportRound:
    if round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
        audit.record("schoolreport.close", request=request, target=round_, summary=round_.title[:200])
    return round_


def open_rounds(now: datetime | None = None) -> QuerySet[ReportRound]:
    now = now or timezone.now()
    return (ReportRound.objects.filter(opens_at__lte=now, closed_at__isnull=True)
            .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now)))


def rounds_for_school(bridge: Bridge, now: datetime | None = None) -> list[ReportRound]:
    """The open rounds this bridge must answer, the nearest deadline first."""
    rounds = (open_rounds(now).select_related("form", "version", "audience_tier", "audience_event")
              .prefetch_related("audience_bridges").order_by("deadline", "pk"))
    return [r for r in rounds if is_asked(r, bridge)]


def asked_round(bridge: Bridge, round_id) -> ReportRound | None:
    """The round `round_id` if it asks this bridge, open or not (a closed one then refuses with its reason)."""
    try:
        pk = int(round_id)
    except (TypeError, ValueError):
        return None
    round_ = (ReportRound.objects.select_related("form", "version", "audience_tier", "audience_event")
              .prefetch_related("audience_bridges").filter(pk=pk).first())
    return round_ if round_ is not None and is_asked(round_, bridge) else None


# --- Series: one round per week or month -----------------------------------------------------------

def period_of(frequency: str, day: date) -> tuple[date, date]:
    """The week (Monday to Sunday) or calendar month holding `day`."""
    if frequency == RoundSeries.Frequency.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    return start, day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_label(frequency: str, start: date) -> str:
    if frequency == RoundSeries.Frequency.WEEKLY:
        year, week, _weekday = start.isocalendar()
        return _("week %(week)s/%(year)s") % {"week": week, "year": year}
    return _("month %(month)s/%(year)s") % {"month": start.month, "year": start.year}


def create_series(form: ReportForm, *, title: str, frequency: str, starts_on: date | None, due_days: int = 5,
                  due_hour: int = 17, ends_on: date | None = None, audience: str = Audience.Kind.ALL, districts=(),
                  tier=None, bridges=(), event=None, request=None) -> RoundSeries:
    errors: dict[str, str] = {}
    title = clean_text(title)[:200] or form.title
    if frequency not in RoundSeries.Frequency.values:
        errors["frequency"] = _("Choose weekly or monthly.")
    if starts_on is None:
        errors["starts_on"] = _("Give the day the first period starts.")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last period cannot end before the first starts.")
    if not 0 <= int(due_days) <= 60:
        errors["due_days"] = _("Between 0 and 60 days.")
    if not 0 <= int(due_hour) <= 23:
        errors["due_hour"] = _("An hour between 0 and 23.")
    chosen = _audience(audience, districts, tier, bridges, errors, event)
    if errors:
        raise ReportRefused(errors)
    with transaction.atomic():
        series = RoundSeries.objects.create(
            form=form, title=title, frequency=frequency, starts_on=starts_on, ends_on=ends_on, due_days=due_days,
            due_hour=due_hour, audience=chosen["audience"], audience_tier=chosen["tier"],
            audience_event=chosen["event"], created_by=_user(request))
        _set_audience(series, chosen)
    audit.record("schoolreport.series", request=request, target=series, summary=title[:200],
                 details={"form": form.pk, "frequency": frequency, "starts_on": starts_on.isoformat()})
    return series


def open_due_rounds(now: datetime | None = None) -> list[ReportRound]:
    """Open the current period's round of every active series that lacks it (run daily; a repeat opens none)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = []
    for series in RoundSeries.objects.filter(active=True, starts_on__lte=today).select_related("form", "created_by") \
            .prefetch_related("audience_bridges"):
        start, end = period_of(series.frequency, today)
        if series.ends_on is not None and start > series.ends_on:
            continue
        if ReportRound.objects.filter(series=series, period_start=start).exists():
            continue
        deadline = timezone.make_aware(datetime.combine(end + timedelta(days=series.due_days),
                                                        time(series.due_hour)))
        opens = timezone.make_aware(datetime.combine(start, time(0)))
        try:
            made.append(publish_round(
                series.form, title=f"{series.title} – {period_label(series.frequency, start)}", deadline=deadline,
                opens_at=min(opens, now), audience=series.audience, districts=list(series.audience_bridges.all()),
                tier=series.audience_tier, bridges=list(series.audience_bridges.all()), event=series.audience_event,
                series=series,
                period_start=start, now=now))
        except ReportRefused:
            continue  # a form emptied since: nothing to ask this period
    return made


# --- Answers ---------------------------------------------------------------------------------------

def school_facts(bridge: Bridge) -> SchoolFacts:
    return SchoolFacts(roster=bridge.people.count(), expected_participants=bridge.expected_participants or 0)


def prefill_values(definition: dict, bridge: Bridge) -> dict:
    """What the system already knows for the fields marked `prefill`, as the school would type it."""
    wanted = {f["key"]: f["prefill"] for f in d.fields_of(definition) if f.get("prefill")}
    if not wanted:
        return {}
    test = latest_test(bridge) if set(wanted.values()) & {"download_mbps", "readiness_passed", "camera_ok"} else None
    facts = {
        "internet_line": bridge.internet_line or None,
        "download_mbps": round(test.download_mbps, 1) if test and test.download_mbps is not None else None,
        "readiness_passed": ("yes" if test.ok else "no") if test else None,
        "camera_ok": ("yes" if test.camera_ok else "no") if test and test.camera_ok is not None else None,
        "roster": bridge.people.count() or None,
    }
    return {key: str(facts[name]) for key, name in wanted.items() if facts.get(name) is not None}


def _require_open(round_: ReportRound, bridge: Bridge, now: datetime) -> None:
    if round_.is_closed(now):
        raise ReportRefused({"": _("This report is closed: answers are no longer accepted.")}, status=409)
    if round_.opens_at > now:
        raise ReportRefused({"": _("This report is not open yet.")}, status=409)
    if not is_asked(round_, bridge):
        raise ReportRefused({"": _("This school is not asked for this report.")}, status=404)


def _draft_values(values) -> dict:
    """A draft keeps what was typed, unchecked, but only for the form's keys and as short text."""
    if not isinstance(values, dict):
        raise ReportRefused({"": _("The answer was not sent in the expected form.")})
    kept = {}
    for key, value in list(values.items())[:2000]:
        if isinstance(value, list):
            kept[str(key)[:120]] = [str(v)[:200] for v in value][:100]
        elif value is not None:
            kept[str(key)[:120]] = str(value)[: d.MAX_TEXT]
    return kept


def save_draft(round_: ReportRound, bridge: Bridge, values, *, now: datetime | None = None) -> ReportAnswer:
    """Keep what the school typed so far (a reload or another device finds it); not checked, not audited."""
    now = now or timezone.now()
    _require_open(round_, bridge, now)
    kept = _draft_values(values)
    with transaction.atomic():
        answer, _created = ReportAnswer.objects.select_for_update().get_or_create(
            round=round_, bridge=bridge, defaults={"version": round_.version})
        answer.draft, answer.draft_saved_at = kept, now
        answer.save(update_fields=["draft", "draft_saved_at"])
    return answer


def submit(round_: ReportRound, bridge: Bridge, values, *, typed_by: str = "", request=None,
           now: datetime | None = None) -> tuple[ReportAnswer, bool]:
    """Check and keep the school's answer (a later one corrects it; every one is kept as a submission).
    Returns (answer, first submission)."""
    now = now or timezone.now()
    _require_open(round_, bridge, now)
    cleaned = check(round_.version.definition, values, school_facts(bridge), attachment_ids(round_, bridge))
    typed_by = clean_text(typed_by)[:MAX_TYPED_BY]
    late = now > round_.deadline
    with transaction.atomic():
        answer, _created = ReportAnswer.objects.select_for_update().get_or_create(
            round=round_, bridge=bridge, defaults={"version": round_.version})
        first = answer.submitted_at is None
        if first:
            answer.submitted_at, answer.late = now, late
        answer.status, answer.values, answer.typed_by, answer.updated_at = \
            ReportAnswer.Status.SUBMITTED, cleaned, typed_by, now
        answer.version = round_.version
        answer.draft, answer.draft_saved_at = {}, None
        answer.save()
        ReportSubmission.objects.create(answer=answer, values=cleaned, typed_by=typed_by,
                                        actor_label=console_actor(bridge), ip=client_ip(request), at=now, late=late)
    audit.record("schoolreport.submit" if first else "schoolreport.correct", request=request,
                 actor_label=console_actor(bridge), target=answer, summary=f"{round_.title[:150]} – {bridge.code}",
                 details={"round": round_.pk, "version": round_.version.number, "late": late, "typed_by": typed_by,
                          "values": cleaned})
    return answer, first


def attachment_ids(round_: ReportRound, bridge: Bridge) -> dict[str, set[int]]:
    """The files this school's answer holds, by field (what `check` accepts as an attachment's value)."""
    out: dict[str, set[int]] = {}
    for pk, key in ReportAttachment.objects.filter(answer__round=round_, answer__bridge=bridge) \
            .values_list("pk", "field_key"):
        out.setdefault(key, set()).add(pk)
    return out


def attach(round_: ReportRound, bridge: Bridge, field_key: str, uploaded, *, request=None,
           now: datetime | None = None) -> ReportAttachment:
    """Keep a file the school uploads for an attachment field (kind and size judged by core.attachments); its id
    is then the field's value in a draft or a submission. Earlier files stay: submissions that named them keep
    them."""
    now = now or timezone.now()
    _require_open(round_, bridge, now)
    field = d.field_map(round_.version.definition).get(str(field_key))
    if field is None or field["type"] != d.FILE:
        raise ReportRefused({"field": _("This form has no attachment field “%(key)s”.") % {
            "key": str(field_key)[:40]}}, status=404)
    if uploaded is None:
        raise ReportRefused({field["key"]: _("%(field)s: attach a file.") % {"field": field["label"]}})
    reason = attachments.refusal(uploaded, field["label"])
    if reason:
        raise ReportRefused({field["key"]: reason})
    with transaction.atomic():
        answer, _created = ReportAnswer.objects.select_for_update().get_or_create(
            round=round_, bridge=bridge, defaults={"version": round_.version})
        item = ReportAttachment(answer=answer, field_key=field["key"], name=attachments.display_name(uploaded),
                                size=uploaded.size or 0)
        item.file.save(uploaded.name, uploaded, save=False)
        item.save()
    audit.record("schoolreport.attach", request=request, actor_label=console_actor(bridge), target=item,
                 summary=f"{round_.title[:120]} – {bridge.code} – {item.name[:60]}",
                 details={"round": round_.pk, "field": field["key"], "size": item.size})
    return item


def attachment_for(user, pk) -> ReportAttachment:
    """A school's attached file for a person whose scope covers the school (404 otherwise)."""
    require_reader(user)
    item = get_object_or_404(ReportAttachment.objects.select_related("answer__bridge", "answer__round"), pk=pk)
    if not scope.visible_bridges(user).filter(pk=item.answer.bridge_id).exists():
        raise Http404("No such attachment")
    return item


def submit_once(round_: ReportRound, bridge: Bridge, values, *, nonce: str | None, typed_by: str = "",
                request=None) -> tuple[ReportAnswer, bool]:
    """`submit` for a client that may send the same submission twice (the console's offline queue): a repeat
    of its nonce is answered with the first submission's outcome, and keeps no second one."""
    nonce = idempotency.clean_nonce(nonce)
    if nonce is None:
        return submit(round_, bridge, values, typed_by=typed_by, request=request)

    def write():
        answer, first = submit(round_, bridge, values, typed_by=typed_by, request=request)
        return (201 if first else 200), {"answer": answer.pk, "first": first}

    stored = idempotency.once(f"schoolreport:{bridge.pk}", nonce, write)
    answer = ReportAnswer.objects.select_related("round", "version").get(pk=stored.body["answer"])
    return answer, bool(stored.body.get("first"))


def current_values(answer: ReportAnswer | None, definition: dict, bridge: Bridge) -> dict:
    """What the school's form shows: its draft, else its last submission, else what the system knows."""
    if answer is not None and answer.draft:
        return answer.draft
    if answer is not None and answer.submitted:
        shown = {}
        for key, value in answer.values.items():
            if isinstance(value, bool):
                shown[key] = "yes" if value else "no"
            elif isinstance(value, list):
                shown[key] = value
            else:
                shown[key] = str(value)
        return shown
    return prefill_values(definition, bridge)


def audience_from_codes(*, districts=(), tier: str | None = None, bridges=(), event=None, user=None) -> dict:
    """The bridges and tier an audience names by code (pages and the API take codes), and the event by its id
    (one the person may see, `events.access`); unknown ones refused."""
    errors: dict[str, str] = {}

    def lookup(codes, name):
        codes = [clean_text(c) for c in codes or [] if clean_text(c)]
        found = {b.code: b for b in Bridge.objects.filter(code__in=codes).select_related("tier")}
        unknown = [c for c in codes if c not in found]
        if unknown:
            errors[name] = _("Unknown bridge codes: %(codes)s.") % {"codes": ", ".join(unknown[:10])}
        return [found[c] for c in codes if c in found]

    out = {"districts": lookup(districts, "districts"), "bridges": lookup(bridges, "bridges"), "tier": None,
           "event": None}
    if event not in (None, ""):
        events = access.visible_events(user) if user is not None else Event.objects.all()
        try:
            out["event"] = events.filter(pk=int(event)).first()
        except (TypeError, ValueError):
            out["event"] = None
        if out["event"] is None:
            errors["event"] = _("Unknown event “%(id)s”.") % {"id": str(event)[:20]}
    if tier:
        out["tier"] = Tier.objects.filter(code=clean_text(tier)).first()
        if out["tier"] is None:
            errors["tier"] = _("Unknown tier “%(code)s”.") % {"code": clean_text(tier)[:30]}
    if errors:
        raise ReportRefused(errors)
    return out
