"""The invitation letter's official-document fields (Decree 30/2020/NĐ-CP): read with fallbacks, saved, audited.

An event has no InvitationLetter row until an organizer saves one; `letter_of` answers an unsaved one
with the defaults, so drawing or previewing a letter never writes. `resolve` turns the fields into the
text the PDF prints: empty fields take the built-in wording (gettext, in the document's language when
the PDF module calls it), the INVITATION_ISSUER / INVITATION_PLACE settings, or the event.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, patterns
from core.dates import official_date
from core.text import clean_text

from ..models import Event, InvitationLetter
from .schedule import clean_multiline, require_editable

# What a number pattern may name: {seq} the register number, {year} the letter's year.
NUMBER_PLACEHOLDERS = ("seq", "year")
# Left for the records office to write the number in by hand when none is given.
BLANK_NUMBER = "\u00a0" * 8
TEXT_FIELDS = ("parent_body", "issuer", "number", "number_pattern", "place", "title", "subject",
               "signer_authority", "signer_title", "signer_name")
MULTILINE_FIELDS = ("body", "recipients")
FIELDS = (*TEXT_FIELDS, *MULTILINE_FIELDS, "dated")


def letter_of(event: Event) -> InvitationLetter:
    """The event's saved letter fields, or unsaved defaults (nothing is written)."""
    letter = InvitationLetter.objects.filter(event=event).first()
    return letter if letter is not None else InvitationLetter(event=event)


def with_values(letter: InvitationLetter, values: dict) -> InvitationLetter:
    """A copy of the letter with `values` applied and checked, unsaved (the preview draws it)."""
    draft = InvitationLetter(**{field: getattr(letter, field) for field in FIELDS}, event=letter.event)
    for field, value in clean_values(values).items():
        setattr(draft, field, value)
    return draft


def clean_values(values: dict) -> dict:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"not letter fields: {sorted(unknown)}")
    cleaned = {}
    for field, value in values.items():
        if field in TEXT_FIELDS:
            cleaned[field] = clean_text(value)
        elif field in MULTILINE_FIELDS:
            cleaned[field] = clean_multiline(value)
        else:
            cleaned[field] = value or None
    if "number_pattern" in cleaned:
        cleaned["number_pattern"] = cleaned["number_pattern"] or InvitationLetter._meta.get_field(
            "number_pattern").default
        try:
            patterns.check(cleaned["number_pattern"], NUMBER_PLACEHOLDERS, required=("seq",))
        except patterns.PatternRefused as exc:
            raise ValidationError({"number_pattern": exc.message}) from exc
    for field in TEXT_FIELDS:
        limit = InvitationLetter._meta.get_field(field).max_length
        if field in cleaned and len(cleaned[field]) > limit:
            raise ValidationError({field: _("At most %(count)s characters.") % {"count": limit}})
    return cleaned


@transaction.atomic
def save_letter(event: Event, values: dict, *, request=None) -> InvitationLetter:
    """Save the letter fields people changed; audited with the names of the changed fields."""
    require_editable(event)
    cleaned = clean_values(values)
    letter = InvitationLetter.objects.select_for_update().filter(event=event).first() or InvitationLetter(event=event)
    changed = [field for field, value in cleaned.items() if getattr(letter, field) != value]
    if not changed and letter.pk:
        return letter
    for field in changed:
        setattr(letter, field, cleaned[field])
    letter.save()
    audit.record("event.letter_saved", request=request, target=event, summary=event.title[:200],
                 details={"changed": changed})
    return letter


@dataclass(frozen=True)
class LetterText:
    """What the letter prints, every fallback resolved (call `resolve` in the document's language)."""

    parent_body: str
    issuer: str
    number: str
    date_line: str
    title: str
    subject: str
    body: str
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str


def issuer_name(event: Event, letter: InvitationLetter | None = None) -> str:
    return (letter.issuer if letter is not None and letter.issuer else "") or settings.INVITATION_ISSUER \
        or event.host.name


def number_text(letter: InvitationLetter, dated: date) -> str:
    """'Số: 12/GM-UBND' from the pattern; a blank where the number is to be written by hand."""
    number = patterns.fill(letter.number_pattern, {"seq": letter.number or BLANK_NUMBER, "year": str(dated.year)})
    return _("No.: %(number)s") % {"number": number}


def resolve(letter: InvitationLetter, today: date | None = None) -> LetterText:
    event = letter.event
    dated = letter.dated or today or timezone.localdate()
    issuer = issuer_name(event, letter)
    # The PDF puts the dash in front of each line: one typed there is dropped.
    recipients = [line.strip().lstrip("-–•").strip() for line in letter.recipients.splitlines()]
    recipients = [line for line in recipients if line] or [
        _("As above;"), _("Archive.")]
    return LetterText(
        parent_body=letter.parent_body, issuer=issuer, number=number_text(letter, dated),
        date_line=official_date(dated, letter.place or settings.INVITATION_PLACE),
        title=letter.title or _("INVITATION"),
        subject=letter.subject or _("Re: %(title)s") % {"title": event.title},
        body=letter.body or event.description,
        recipients=recipients,
        signer_authority=letter.signer_authority,
        # No title and no authority: the issuing body signs, as the letter did before these fields.
        signer_title=letter.signer_title or ("" if letter.signer_authority else issuer.upper()),
        signer_name=letter.signer_name,
    )
