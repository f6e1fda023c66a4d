"""What a school does on its console: confirm or decline, correct its contacts.

The console has no account; the audit log names the actor "console:<bridge code>".
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridges import phones
from bridges.models import Bridge
from bridges.services import console_actor
from core import audit
from core.text import clean_text

from .. import participation
from ..models import Invitation, ReadinessTest

OPEN_STATUSES = participation.WORKING_STATUSES
MAX_PARTICIPANTS = 10000


def console_invitations(bridge: Bridge) -> QuerySet[Invitation]:
    """What the console lists; the event a console request works for is chosen by console.auth."""
    return participation.listed_invitations(bridge)


def _require_open(invitation: Invitation) -> None:
    if invitation.event.status not in OPEN_STATUSES:
        raise ValidationError(_("This event is no longer open for registration."))


def _status_from_tests(invitation: Invitation) -> str:
    latest = invitation.readiness_tests.order_by("-at", "-id").first()
    if latest is None:
        return Invitation.Status.CONFIRMED
    return Invitation.Status.TESTED_OK if latest.ok else Invitation.Status.PROBLEM


@transaction.atomic
def console_confirm(invitation: Invitation, *, request=None) -> Invitation:
    _require_open(invitation)
    invitation = Invitation.objects.select_for_update().select_related("event", "bridge").get(pk=invitation.pk)
    if invitation.status in (Invitation.Status.INVITED, Invitation.Status.DECLINED):
        invitation.status = _status_from_tests(invitation)
        invitation.decline_reason = ""
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "decline_reason", "responded_at"])
        audit.record("console.confirm", request=request, actor_label=console_actor(invitation.bridge),
                     target=invitation, summary=invitation.bridge.code)
    return invitation


@transaction.atomic
def console_decline(invitation: Invitation, reason: str = "", *, request=None) -> Invitation:
    _require_open(invitation)
    reason = clean_text(reason)
    if len(reason) > 300:
        raise ValidationError(_("Please keep the reason under 300 characters."))
    invitation = Invitation.objects.select_for_update().select_related("event", "bridge").get(pk=invitation.pk)
    invitation.status = Invitation.Status.DECLINED
    invitation.decline_reason = reason
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "decline_reason", "responded_at"])
    audit.record("console.decline", request=request, actor_label=console_actor(invitation.bridge),
                 target=invitation, summary=invitation.bridge.code, details={"reason": reason})
    return invitation


def normalize_phone(value: str) -> str:
    """The number as bridges.phones stores it; a clear refusal when it is not a phone number."""
    found = phones.normalize_phone(value)
    if found is None:
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": clean_text(value)})
    return found


CONTACT_FIELDS = {"head_name": 120, "head_role": 120, "head_phone": 20, "tech_name": 120, "tech_phone": 20,
                  "email": 254}


def clean_contacts(data: dict) -> dict:
    """Validated contact values; raises one ValidationError per bad field (field -> message)."""
    cleaned, errors = {}, {}
    for name, limit in CONTACT_FIELDS.items():
        if name not in data:
            continue
        value = clean_text(data[name])
        try:
            if name.endswith("_phone"):
                value = normalize_phone(value)
            elif name == "email" and value:
                value = value.lower()
                try:
                    validate_email(value)
                except ValidationError as exc:
                    raise ValidationError(_("“%(value)s” is not a valid e-mail address.") % {"value": value}) from exc
            if len(value) > limit:
                raise ValidationError(_("This is too long."))
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        cleaned[name] = value
    if "expected_participants" in data:
        raw = data["expected_participants"]
        try:
            number = int(str(raw).strip()) if raw not in (None, "") else None
        except (TypeError, ValueError):
            number = -1
        if number is not None and not 0 <= number <= MAX_PARTICIPANTS:
            errors["expected_participants"] = [
                _("Enter a number of participants between 0 and %(max)s.") % {"max": MAX_PARTICIPANTS}]
        else:
            cleaned["expected_participants"] = number
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def console_update_contacts(invitation: Invitation, data: dict, *, request=None) -> Invitation:
    """The school corrects its contacts (kept on the bridge) and its expected number (per event)."""
    _require_open(invitation)
    cleaned = clean_contacts(data)
    invitation = Invitation.objects.select_for_update().select_related("event", "bridge").get(pk=invitation.pk)
    bridge = invitation.bridge
    changed = []
    for name in CONTACT_FIELDS:
        if name in cleaned and getattr(bridge, name) != cleaned[name]:
            setattr(bridge, name, cleaned[name])
            changed.append(name)
    if changed:
        bridge.save(update_fields=[*changed, "updated_at"])
    if "expected_participants" in cleaned and invitation.expected_participants != cleaned["expected_participants"]:
        invitation.expected_participants = cleaned["expected_participants"]
        invitation.save(update_fields=["expected_participants"])
        changed.append("expected_participants")
    if changed:
        # Field names only: the values are personal contact data.
        audit.record("console.contacts", request=request, actor_label=console_actor(bridge), target=invitation,
                     summary=bridge.code, details={"changed": changed})
    return invitation


def latest_test(invitation: Invitation) -> ReadinessTest | None:
    return invitation.readiness_tests.order_by("-at", "-id").first()
