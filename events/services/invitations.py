"""Inviting bridges to an event: all of them, a subtree, a selection or an imported list of codes."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils.translation import gettext as _

from bridges.models import Bridge
from bridges.scope import visible_bridges
from core import archives, audit
from core.text import clean_text, fold

from ..models import Event, Invitation
from .schedule import require_editable

BATCH = 1000
# A list of bridge codes unpacks to far less than this; more is a zip bomb, refused before it inflates.
MAX_CODE_LIST_UNPACKED = 20 * 1024 * 1024
# A header cell people put above a column of codes.
_HEADER_KEYS = {"code", "ma", "ma diem cau", "ma truong", "bridge code"}
_SEPARATORS = re.compile(r"[,;\t]")


@dataclass
class InviteResult:
    created: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.already


def parse_code_text(text: str) -> list[tuple[int, str]]:
    """(line number, code) from pasted text or a CSV: the first cell of each non-empty line."""
    rows = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        first = clean_text(_SEPARATORS.split(line, maxsplit=1)[0]).strip("\"'")
        if not first or (not rows and fold(first) in _HEADER_KEYS):
            continue
        rows.append((number, first))
    return rows


def parse_code_file(upload) -> list[tuple[int, str]]:
    """Codes from an uploaded .txt/.csv (first column) or .xlsx (first column of the first sheet)."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            # A list of codes is small: refused unopened when its zip would inflate to more (core.archives).
            archives.require_modest_zip(data, max_unpacked=MAX_CODE_LIST_UNPACKED)
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except archives.ArchiveRefused as refused:
            raise ValidationError(refused.message) from None
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise ValidationError(_("The file could not be read as an Excel workbook.")) from exc
        rows = []
        for number, values in enumerate(sheet.iter_rows(max_col=1, values_only=True), start=1):
            code = clean_text(values[0] if values else "")
            if not code or (not rows and fold(code) in _HEADER_KEYS):
                continue
            rows.append((number, code))
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file must be UTF-8 text, CSV or an Excel workbook (.xlsx).")) from exc
    # csv handles quoted first cells; parse_code_text the rest.
    lines = [(row[0] if row else "") for row in csv.reader(io.StringIO(text))]
    return parse_code_text("\n".join(lines))


def resolve_codes(user, rows: list[tuple[int, str]]) -> tuple[list[Bridge], list[str]]:
    """Bridges for the listed codes within the user's scope, and one problem per unknown code."""
    if not rows:
        return [], [_("The list contains no bridge codes.")]
    codes = {code for _line, code in rows}
    found = {bridge.code: bridge for bridge in visible_bridges(user).filter(code__in=codes)}
    problems = [
        _("Row %(row)s: no bridge with code “%(code)s” in your scope.") % {"row": line, "code": code}
        for line, code in rows if code not in found
    ]
    seen, bridges = set(), []
    for _line, code in rows:
        if code in found and code not in seen:
            seen.add(code)
            bridges.append(found[code])
    return bridges, problems


# Invitations written in bulk (bulk_create sends no post_save), in the writer's transaction: event_id,
# bridge_ids. Read models listen (training.tallies marks the event).
invited = Signal()


def _split(event: Event, bridges) -> tuple[int, list[int]]:
    """How many of `bridges` are invited already, and the ids of the others, in tree order."""
    if not isinstance(bridges, QuerySet):
        bridges = Bridge.objects.filter(pk__in=[bridge.pk for bridge in bridges])
    wanted = bridges.order_by().values("pk")
    already = event.invitations.filter(bridge_id__in=wanted).count()
    new_ids = list(
        Bridge.objects.filter(pk__in=wanted).exclude(pk__in=event.invitations.values("bridge_id"))
        .order_by("path").values_list("pk", flat=True)
    )
    return already, new_ids


def invite_preview(event: Event, bridges) -> InviteResult:
    """What `invite_bridges` would do now, writing nothing: the count a confirmation states."""
    already, new_ids = _split(event, bridges)
    return InviteResult(created=len(new_ids), already=already)


@transaction.atomic
def invite_bridges(event: Event, bridges, *, request=None, how: str = "") -> InviteResult:
    """Invite bridges; bridges already invited are left as they are, so it can be repeated safely."""
    require_editable(event)
    already, new_ids = _split(event, bridges)
    for start in range(0, len(new_ids), BATCH):
        Invitation.objects.bulk_create(
            [Invitation(event=event, bridge_id=pk) for pk in new_ids[start:start + BATCH]], ignore_conflicts=True
        )
    if new_ids:
        invited.send(sender=Invitation, event_id=event.pk, bridge_ids=new_ids)
    result = InviteResult(created=len(new_ids), already=already)
    audit.record("event.invite", request=request, target=event, summary=event.title,
                 details={"how": how, "created": result.created, "already": result.already})
    return result
