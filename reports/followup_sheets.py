"""A follow-up report's tables: the rollup by district and one row per school (workbook, CSV, page)."""

from django.utils.translation import gettext as _

from followups.services import DistrictRollup, FollowUpStatus

from .cells import date_text
from .cover import Cover, CoverChart
from .data import share
from .sheets import DATETIME_WIDTH, NUMBER_WIDTH, serial_column, text_column
from .tables import DATETIME, INT, PERCENT, TEXT, ChartSpec, Column, Table

SUMMARY, SCHOOLS = "summary", "schools"
SHEETS = (SUMMARY, SCHOOLS)


def summary_table(state: FollowUpStatus) -> Table:
    n = NUMBER_WIDTH
    columns = [
        serial_column(len(state.districts)),
        text_column("district", _("District / intermediate bridge"), [d.name for d in state.districts], 14, 24),
        Column("expected", _("Schools asked"), INT, n),
        Column("submitted", _("Schools that answered"), INT, n),
        Column("submitted_pct", _("Answered (%)"), PERCENT, n),
        Column("late", _("Answered late"), INT, n),
        Column("missing", _("Not answered"), INT, n),
        Column("students", _("Students trained"), INT, n),
        Column("classes", _("Classes held"), INT, n),
        Column("teachers", _("Teachers who led them"), INT, n),
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
        notes=[_("Deadline: %(deadline)s.") % {"deadline": date_text(state.form.due)}],
    )


def schools_table(state: FollowUpStatus) -> Table:
    schools = state.schools
    on_time, late, missing = _("answered"), _("late"), _("not answered")
    n = NUMBER_WIDTH
    columns = [
        serial_column(len(schools)),
        text_column("code", _("Code"), [s.bridge.code for s in schools], 8),
        text_column("school", _("School"), [s.bridge.name for s in schools], 14, 26),
        text_column("district", _("District"), [s.district_name for s in schools], 10, 22),
        text_column("state", _("Answer"), [on_time, late, missing], 8, 14),
        Column("submitted_at", _("First submitted"), DATETIME, DATETIME_WIDTH),
        Column("updated_at", _("Last changed"), DATETIME, DATETIME_WIDTH),
        Column("students", _("Students trained"), INT, n),
        Column("school_students", _("Students at the school"), INT, n),
        Column("classes", _("Classes held"), INT, n),
        Column("teachers", _("Teachers who led them"), INT, n),
        text_column("notes", _("Notes"), [s.answer.notes for s in schools if s.answer], 14, 30),
        Column("reminders", _("Reminders sent"), INT, n),
        # Who filled it in, the attachment and the phone: in the sheet, not on the printed page.
        Column("submitted_by", _("Filled in by"), TEXT, 20, printed=False),
        Column("attachment", _("Attachment"), TEXT, 20, printed=False),
        Column("phone", _("Phone"), TEXT, 13, printed=False),
    ]

    def rows():
        for i, s in enumerate(schools, start=1):
            a = s.answer
            word = missing if a is None else (late if a.late else on_time)
            yield [i, s.bridge.code, s.bridge.name, s.district_name, word,
                   a.submitted_at if a else None, a.updated_at if a else None,
                   a.students_trained if a else None, a.school_students if a else None,
                   a.classes_held if a else None, a.teachers_led if a else None, a.notes if a else None,
                   s.reminders, a.submitted_by if a else None, a.attachment_name if a else None,
                   s.bridge.contact_phone]

    return Table(
        name=_("Schools"), slug="truong", title=_("FOLLOW-UP REPORT BY SCHOOL"), columns=columns, rows=rows(),
        row_count=len(schools), frozen_columns=3,
        empty_message=_("No school is asked for this follow-up report."),
    )


def cover(state: FollowUpStatus) -> Cover:
    """The signed first sheet of a follow-up report: its numbers by district (fit a portrait page)."""
    districts = state.districts
    n = NUMBER_WIDTH
    columns = [
        serial_column(len(districts)),
        text_column("district", _("District / intermediate bridge"), [d.name for d in districts], 14, 22),
        Column("expected", _("Schools asked"), INT, n),
        Column("submitted", _("Schools that answered"), INT, n),
        Column("submitted_pct", _("Answered (%)"), PERCENT, n),
        Column("missing", _("Not answered"), INT, n),
        Column("students", _("Students trained"), INT, n),
        Column("classes", _("Classes held"), INT, n),
        Column("teachers", _("Teachers who led them"), INT, n),
    ]

    def values(no, label, d: DistrictRollup) -> list:
        return [no, label, d.expected, d.submitted, share(d.submitted, d.expected), d.missing, d.students,
                d.classes, d.teachers]

    rows = [values(i, d.name, d) for i, d in enumerate(districts, start=1)]
    table = Table(name=_("Report"), slug="bao-cao", title="", columns=columns, rows=rows, row_count=len(rows),
                  total=values(None, _("Total"), state.total) if rows else None,
                  empty_message=_("No school is asked for this follow-up report."))
    return Cover(
        name=_("Report"), title=_("REPORT"), subtitle=state.form.title, table=table,
        notes=[_("Deadline: %(deadline)s.") % {"deadline": date_text(state.form.due)}],
        chart=CoverChart(_("Share of schools that answered"), "district", ["submitted_pct"])
        if rows else None,
    )


BUILDERS = {SUMMARY: summary_table, SCHOOLS: schools_table}


def followup_tables(state: FollowUpStatus) -> list[Table]:
    return [BUILDERS[name](state) for name in SHEETS]
