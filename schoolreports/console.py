"""What school reports show on a school's console: the open rounds asked of this school, each as a form to
fill (its draft, else its last submission, else what the system knows), registered as a console section.
Drafts and submissions go through the console's API (console/api_schoolreports.py) to services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core import attachments
from events.console_sections import ConsoleSection, register

from . import definition as d
from .models import ReportAnswer, ReportAttachment, ReportRound
from .services import current_values, rounds_for_school


@dataclass
class SchoolRound:
    round: ReportRound
    answer: ReportAnswer | None
    values: dict
    overdue: bool
    files: dict = None  # the answer's attachments by id (attachment fields show the file's name)

    @property
    def submitted(self) -> bool:
        return self.answer is not None and self.answer.submitted

    @property
    def has_draft(self) -> bool:
        return self.answer is not None and bool(self.answer.draft)

    @property
    def sections(self) -> list[dict]:
        """The form's sections with each field's shown value (grids as rows of cells), for the template."""
        out = []
        for section in self.round.version.definition["sections"]:
            fields = []
            for f in section["fields"]:
                item = {**f, "value": self.values.get(f["key"], "")}
                if f["type"] == d.GRID:
                    item["grid"] = [{"label": r["label"], "cells": [
                        {"name": d.cell_key(f["key"], r["key"], c["key"]), "column": c["label"],
                         "value": self.values.get(d.cell_key(f["key"], r["key"], c["key"]), "")}
                        for c in f["columns"]]} for r in f["rows"]]
                if f["type"] == d.FILE:
                    try:
                        attached = (self.files or {}).get(int(item["value"] or 0))
                    except (TypeError, ValueError):
                        attached = None
                    item["file_name"] = attached.name if attached else ""
                if f["type"] == d.MULTI_CHOICE:
                    picked = item["value"] if isinstance(item["value"], list) else str(item["value"]).split(",")
                    item["picked"] = [str(p) for p in picked]
                fields.append(item)
            out.append({**section, "fields": fields})
        return out


def school_rounds(bridge, now=None) -> list[SchoolRound]:
    """The open rounds this school must answer, nearest deadline first, each with its answer."""
    now = now or timezone.now()
    rounds = rounds_for_school(bridge, now)
    answers = {a.round_id: a for a in ReportAnswer.objects.filter(bridge=bridge, round__in=rounds)}
    files: dict[int, dict] = {}
    if any(d.file_keys(r.version.definition) for r in rounds):
        for item in ReportAttachment.objects.filter(answer__in=answers.values()):
            files.setdefault(item.answer_id, {})[item.pk] = item
    return [SchoolRound(r, answers.get(r.pk), current_values(answers.get(r.pk), r.version.definition, bridge),
                        now > r.deadline, files.get(answers[r.pk].pk, {}) if r.pk in answers else {})
            for r in rounds]


def _section(bridge, event, token):
    items = school_rounds(bridge)
    if not items:
        return None
    return {"rounds": items, "pending": [i for i in items if not i.submitted],
            "overdue": [i for i in items if not i.submitted and i.overdue], "report_strings": strings(),
            "attachment_types": ",".join(attachments.ATTACHMENT_TYPES)}


def strings() -> dict:
    """The words console_reports.js shows, translated here once."""
    return {
        "draftSaved": _("Draft saved %(time)s."),
        "draftLocal": _("Kept on this device; it will be saved when the connection is back."),
        "waiting": _("%(count)s report(s) waiting to be sent; they will go when the connection is back."),
        "sending": _("Sending…"),
        "refused": _("The report was not accepted: check the fields marked below."),
        "sendFailed": _("Not sent yet: no connection. It is kept and will be sent automatically."),
        "uploading": _("Attaching the file…"),
        "uploadFailed": _("The file could not be attached: no connection. Attach it again when you are online."),
    }


def register_sections() -> None:
    register(ConsoleSection("schoolreports", 85, "schoolreports/_console_reports.html", _section))
