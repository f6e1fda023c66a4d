"""Which part of an event a report covers: the reader's scope narrowed by the filters they chose."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from attendance.models import RollCall
from bridges import scope
from bridges.models import Bridge, Tier
from core.errors import Refused
from core.text import clean_text
from events.models import Event


class ReportError(Refused):
    """Bad input for a report (unknown district, tier, roll call): the message is shown as is."""

    code = "report_refused"


@dataclass
class ReportFilters:
    """Resolved filters. path: the subtree covered (None: everything); tier: only bridges of that tier."""

    path: str | None = None
    district: Bridge | None = None
    scope_bridge: Bridge | None = None
    tier: Tier | None = None
    roll_call_ids: list[int] | None = None
    labels: list[str] = field(default_factory=list)  # the filters besides the part covered (tier, roll calls)

    def as_params(self) -> dict:
        """What a background job needs to resolve the same filters again."""
        return {
            "district": self.district.code if self.district else "",
            "tier": self.tier.code if self.tier else "",
            "roll_calls": self.roll_call_ids or [],
        }

    def describe(self) -> str:
        """What the report covers, for "Covering: …" (which says "scope" already): the part of the
        province by its name, then the other filters with their labels."""
        part = self.district or self.scope_bridge
        return "; ".join([part.name if part else _("the whole event"), *self.labels])


def _parse_ids(values) -> list[int]:
    if values is None:
        return []
    if isinstance(values, str | int):
        values = [values]
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise ReportError(_("“%(value)s” is not a roll call number.") % {"value": part[:40]})
            ids.append(int(part))
    return ids


def resolve(event: Event, user, *, district: str = "", tier: str = "", roll_calls=None,
            role=None) -> ReportFilters:
    """Check the reader's scope and the filters; raise ReportError / PermissionDenied with a reason."""
    role = role or scope.require_role(user)
    filters = ReportFilters(scope_bridge=role.scope)
    scope_path = scope.scope_path_of(role)
    filters.path = scope_path

    district = clean_text(district)
    if district:
        bridge = Bridge.objects.filter(code__iexact=district).first()
        if bridge is None:
            raise ReportError(_("There is no bridge with the code “%(code)s”.") % {"code": district[:40]})
        if scope_path and not bridge.path.startswith(scope_path):
            if not scope_path.startswith(bridge.path):
                raise PermissionDenied(_("%(name)s is outside your scope.") % {"name": bridge.name})
        else:
            filters.path = bridge.path
            filters.district = bridge

    tier = clean_text(tier)
    if tier:
        filters.tier = Tier.objects.filter(code__iexact=tier).first()
        if filters.tier is None:
            raise ReportError(_("There is no bridge tier “%(code)s”.") % {"code": tier[:40]})
        filters.labels.append(_("Tier: %(label)s") % {"label": filters.tier.label})

    ids = _parse_ids(roll_calls)
    if ids:
        known = dict(RollCall.objects.filter(session__event=event, pk__in=ids).values_list("pk", "label"))
        unknown = [str(i) for i in ids if i not in known]
        if unknown:
            raise ReportError(_("Roll call %(ids)s does not belong to this event.") % {"ids": ", ".join(unknown)})
        filters.roll_call_ids = list(dict.fromkeys(ids))
        filters.labels.append(_("Roll calls: %(labels)s") % {
            "labels": ", ".join(known[i] for i in filters.roll_call_ids)})
    return filters


def event_or_error(event_id) -> Event:
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        pk = None
    event = Event.objects.select_related("host").filter(pk=pk).first() if pk is not None else None
    if event is None:
        raise ReportError(_("There is no event number %(id)s.") % {"id": str(event_id)[:20]})
    return event
