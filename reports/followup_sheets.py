"""A follow-up report's tables: the rollup by district and one row per school (workbook, CSV, page)."""

from django.utils.translation import gettext as _

from followups.services import DistrictRollup, FollowUpStatus

from .cells import date_text
from .data import share
from .tables import DATETIME, INT, PERCENT, TEXT, ChartSpec, Column, Table

SUMMARY, SCHOOLS = "summary", "schools"
SHEETS = (SUMMARY, SCHOOLS)


def summary_table(state: FollowUpStatus) -> Table:
    columns = [
        Column("no", _("No."), INT, 6),
        Column("district", _("District / intermediate bridge"), TEXT, 32),
        Column("expected", _("Schools asked"), INT, 11),
        Column("submitted", _("Schools that answered"), INT, 12),
        Column("submitted_pct", _("Answered (%)"), PERCENT, 10),
        Column("late", _("Answered late"), INT, 11),
        Column("missing", _("Not answered"), INT, 11),
        Column("students", _("Students trained"), INT, 12),
        Column("classes", _("Classes held"), INT, 11),
        Column("teachers", _("Teachers who led them"), INT, 12),
    ]

    def values(no, label, d: DistrictRollup) -> list:
        return [no, label, d.expected, d.submitted, share(d.submitted, d.expected), d.late, d.missing, d.students,
                d.classes, d.teachers]

    rows = [values(i, d.name, d) for i, d in enumerate(state.districts, start=1)]
    return Table(
        name=_("Summary"), slug="tong-hop", title=_("FOLLOW-UP REPORT: SUMMARY BY DISTRICT"), columns=columns,
        rows=rows, row_count=len(rows), total=values(None, _("Total"), state.total) if rows else None,
        chart=ChartSpec(_("Share of schools that answered"), "district", "submitted_pct", _("Answered (%)"))
        if rows else None,
        frozen_columns=2, empty_message=_("No school is asked for this follow-up report."),
        notes=[_("Deadline: %(deadline)s.") % {"deadline": date_text(state.form.deadline)}],
    )


def schools_table(state: FollowUpStatus) -> Table:
    columns = [
        Column("no", _("No."), INT, 6),
        Column("code", _("Code"), TEXT, 14),
        Column("school", _("School"), TEXT, 36),
        Column("district", _("District"), TEXT, 24),
        Column("state", _("Answer"), TEXT, 14),
        Column("submitted_at", _("First submitted"), DATETIME, 16),
        Column("updated_at", _("Last changed"), DATETIME, 16),
        Column("students", _("Students trained"), INT, 12),
        Column("school_students", _("Students at the school"), INT, 12),
        Column("classes", _("Classes held"), INT, 11),
        Column("teachers", _("Teachers who led them"), INT, 12),
        Column("notes", _("Notes"), TEXT, 40),
        Column("submitted_by", _("Filled in by"), TEXT, 20),
        Column("attachment", _("Attachment"), TEXT, 20),
        Column("reminders", _("Reminders sent"), INT, 10),
        Column("phone", _("Phone"), TEXT, 13),
    ]
    on_time, late, missing = _("answered"), _("late"), _("not answered")

    def rows():
        for i, s in enumerate(state.schools, start=1):
            a = s.answer
            word = missing if a is None else (late if a.late else on_time)
            yield [i, s.bridge.code, s.bridge.name, s.district_name, word,
                   a.submitted_at if a else None, a.updated_at if a else None,
                   a.students_trained if a else None, a.school_students if a else None,
                   a.classes_held if a else None, a.teachers_led if a else None, a.notes if a else None,
                   a.submitted_by if a else None, a.attachment_name if a else None, s.reminders,
                   s.bridge.contact_phone]

    return Table(
        name=_("Schools"), slug="truong", title=_("FOLLOW-UP REPORT BY SCHOOL"), columns=columns, rows=rows(),
        row_count=len(state.schools), frozen_columns=3,
        empty_message=_("No school is asked for this follow-up report."),
    )


BUILDERS = {SUMMARY: summary_table, SCHOOLS: schools_table}


def followup_tables(state: FollowUpStatus) -> list[Table]:
    return [BUILDERS[name](state) for name in SHEETS]
