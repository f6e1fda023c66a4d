"""The attendance workbook's three tables: Tổng hợp (per district), Điểm cầu (per bridge), Giáo viên."""

import math

from django.utils.translation import gettext as _

from events.models import Event

from .cover import Cover, CoverChart
from .data import AttendanceReport, GroupRow, share
from .tables import DATE, DATETIME, DECIMAL, INT, PERCENT, SERIAL, TEXT, TIME, ChartSpec, Column, Table
from .widths import fit, widest

# Widths (Excel units) of cells that never wrap: numbers up to 999,999 and "100.0%"; dates; times.
NUMBER_WIDTH = 8
DATE_WIDTH = 10.8
DATETIME_WIDTH = 16

SUMMARY, BRIDGES, TEACHERS = "summary", "bridges", "teachers"
SHEETS = (SUMMARY, BRIDGES, TEACHERS)


def text_column(key: str, header: str, values, minimum: float, maximum: float = math.inf) -> Column:
    """A text column as wide as its longest value allows within [minimum, maximum], wrapped beyond
    (no maximum: as wide as its longest value, for codes and identifiers that must not break)."""
    width, wrap = fit(values, minimum, maximum)
    return Column(key, header, TEXT, width, wrap=wrap)


def serial_column(count: int) -> Column:
    return Column("no", _("No."), SERIAL, max(4.5, widest([count])))


def _rc_present_columns(report: AttendanceReport, with_share: bool) -> list[Column]:
    columns = []
    for rc in report.roll_calls:
        columns.append(Column(f"rc{rc.id}", _("Present: %(label)s") % {"label": rc.label}, INT, NUMBER_WIDTH))
        if with_share:
            columns.append(Column(f"rc{rc.id}_pct", _("Present (%%): %(label)s") % {"label": rc.label}, PERCENT,
                                  NUMBER_WIDTH))
    return columns


def summary_table(report: AttendanceReport) -> Table:
    n = NUMBER_WIDTH
    columns = [
        serial_column(len(report.groups)),
        text_column("district", _("District / intermediate bridge"), [g.name for g in report.groups], 16, 24),
        Column("invited", _("Bridges invited"), INT, n),
        Column("confirmed", _("Bridges confirmed"), INT, n),
        Column("confirmed_pct", _("Confirmed (%)"), PERCENT, n),
        Column("tested", _("Bridges tested OK"), INT, n),
        Column("checked_in", _("Bridges checked in"), INT, n),
        Column("checked_in_pct", _("Checked in (%)"), PERCENT, n),
        Column("minutes", _("Minutes connected (mean per bridge)"), DECIMAL, n),
        Column("expected", _("Teachers expected"), INT, n),
        *_rc_present_columns(report, with_share=True),
        Column("rate", _("Attendance rate"), PERCENT, n),
        Column("teachers", _("Teachers on the rosters"), INT, n),
        Column("completed", _("Completed"), INT, n),
        Column("completed_pct", _("Completed (%)"), PERCENT, n),
        Column("certificates", _("Certificates issued"), INT, n),
        Column("certificates_pct", _("With certificate (%)"), PERCENT, n),
    ]

    def values(no, label: str, group: GroupRow) -> list:
        row = [no, label, group.invited, group.confirmed, share(group.confirmed, group.invited), group.tested,
               group.checked_in, share(group.checked_in, group.invited), round(group.mean_minutes, 1),
               group.expected]
        for rc in report.roll_calls:
            present = group.present.get(rc.id, 0) if rc.held else None
            row += [present, share(present, group.expected) if present is not None else None]
        row += [report.rate(group), group.teachers, group.completed, share(group.completed, group.teachers),
                group.certificates, share(group.certificates, group.teachers)]
        return row

    rows = [values(i, g.name, g) for i, g in enumerate(report.groups, start=1)]
    return Table(
        name=_("Summary"), slug="tong-hop", title=_("SUMMARY OF ATTENDANCE BY DISTRICT"), columns=columns,
        rows=rows, row_count=len(rows), total=values(None, _("Total"), report.total) if rows else None,
        chart=ChartSpec(_("Attendance rate by district"), "district", "rate", _("Attendance rate")) if rows else None,
        frozen_columns=2, empty_message=_("No bridge has been invited to this event, so there is nothing to report."),
        notes=_summary_notes(report),
    )


def _summary_notes(report: AttendanceReport) -> list[str]:
    return [
        _("Teachers present: check-ins recorded at the bridges of the district, per roll call."),
        _("Attendance rate: the mean over the roll calls held of teachers present / teachers expected."),
        _("Completed: %(rule)s.") % {"rule": report.rule_text},
    ]


def _readiness_text(row) -> str:
    if row.readiness == "ok":
        return _("passed")
    if row.readiness == "problem":
        return _("failed: %(problems)s") % {"problems": row.readiness_problems} if row.readiness_problems else _(
            "failed")
    return _("passed") if row.tested else _("not tested")


def bridges_table(report: AttendanceReport) -> Table:
    bridges = report.bridges
    readiness = [_readiness_text(b) for b in bridges]
    columns = [
        serial_column(len(bridges)),
        text_column("code", _("Code"), [b.code for b in bridges], 8),
        text_column("bridge", _("Bridge"), [b.name for b in bridges], 16, 26),
        text_column("tier", _("Tier"), [b.tier_label for b in bridges], 6, 12),
        text_column("district", _("District"), [b.district_name for b in bridges], 10, 22),
        text_column("status", _("Registration"), [b.status_label for b in bridges], 8, 13),
        text_column("readiness", _("Readiness test"), readiness, 8, 16),
        Column("readiness_at", _("Tested at"), DATETIME, DATETIME_WIDTH),
        Column("checked_in_at", _("Checked in at"), DATETIME, DATETIME_WIDTH),
        Column("headcount", _("People present (headcount)"), INT, NUMBER_WIDTH),
        Column("minutes", _("Minutes connected"), DECIMAL, NUMBER_WIDTH),
        Column("expected", _("Teachers expected"), INT, NUMBER_WIDTH),
        *_rc_present_columns(report, with_share=False),
        Column("flagged", _("Check-ins flagged: many from one device"), INT, NUMBER_WIDTH),
        # Contacts: in the sheet for the organizers' calls, not on the printed page (it would not fit).
        Column("head_name", _("Head contact"), TEXT, 22, printed=False),
        Column("head_phone", _("Phone"), TEXT, 13, printed=False),
        Column("tech_name", _("Technical contact"), TEXT, 22, printed=False),
        Column("tech_phone", _("Technical phone"), TEXT, 13, printed=False),
        Column("email", _("E-mail"), TEXT, 30, printed=False),
    ]

    def rows():
        for i, (b, ready) in enumerate(zip(bridges, readiness, strict=True), start=1):
            row = [i, b.code, b.name, b.tier_label, b.district_name, b.status_label, ready, b.readiness_at,
                   b.checked_in_at, b.headcount, b.minutes, b.expected]
            row += [b.present.get(rc.id, 0) if rc.held else None for rc in report.roll_calls]
            row.append(b.flagged)
            row += [b.head_name, b.head_phone, b.tech_name, b.tech_phone, b.email]
            yield row

    total = None
    if bridges:
        t = report.total
        total = [None, _("Total"), _("%(count)s bridges") % {"count": t.invited}, None, None, None, None, None,
                 None, t.headcount, round(t.minutes, 1), t.expected]
        total += [t.present.get(rc.id, 0) if rc.held else None for rc in report.roll_calls]
        total.append(t.flagged)
        total += [None] * 5
    return Table(
        name=_("Bridges"), slug="diem-cau", title=_("ATTENDANCE BY BRIDGE"), columns=columns, rows=rows(),
        row_count=len(report.bridges), total=total, frozen_columns=3,
        empty_message=_("No bridge has been invited to this event, so there is nothing to report."),
    )


def teachers_table(report: AttendanceReport) -> Table:
    held = [rc for rc in report.roll_calls if rc.held]
    people = report.people
    absent, yes, no = _("absent"), _("yes"), _("no")
    # The widths follow the data, within bounds that keep the landscape page readable when fitted
    # (about 8 pt); the rare longer name, subject or school wraps onto a second line.
    roll_call_width = widest([absent, "00:00"])
    columns = [
        serial_column(len(people)),
        text_column("teacher_id", _("Teacher identifier"), [p.teacher_id for p in people], 8),
        text_column("name", _("Full name"), [p.full_name for p in people], 14, 22),
        Column("birth_date", _("Birth date"), DATE, DATE_WIDTH),
        text_column("subject", _("Subject / role"), [p.subject for p in people], 10, 19),
        text_column("school", _("School / bridge"), [p.school_name for p in people], 14, 32),
        text_column("district", _("District"), [p.district_name for p in people], 10, 22),
        # A roll call's column: the time the teacher checked in, or "absent".
        *[Column(f"rc{rc.id}", rc.label, TIME, roll_call_width, centred=True) for rc in report.roll_calls],
        Column("present", _("Times present"), INT, 6),
        Column("held", _("Roll calls held"), INT, 6),
        Column("present_pct", _("Present (%)"), PERCENT, NUMBER_WIDTH),
        Column("eligible", _("Completed"), TEXT, widest([yes, no]), centred=True),
        text_column("certificate", _("Certificate number"), [p.certificate for p in people], 8),
        Column("flagged", _("Check-ins flagged: many from one device"), INT, 6),
    ]

    def cell(rc, checkins):
        if not rc.held:
            return None
        at = checkins.get(rc.id)
        return absent if at is None else at

    def rows():
        for i, p in enumerate(people, start=1):
            present = sum(1 for rc in held if rc.id in p.checkins)
            row = [i, p.teacher_id, p.full_name, p.birth_date, p.subject, p.school_name, p.district_name]
            row += [cell(rc, p.checkins) for rc in report.roll_calls]
            row += [present, len(held), share(present, len(held)), yes if p.eligible else no, p.certificate,
                    len(p.flagged)]
            yield row

    return Table(
        name=_("Teachers"), slug="giao-vien", title=_("ATTENDANCE BY TEACHER"), columns=columns, rows=rows(),
        row_count=len(people), frozen_columns=3,
        empty_message=_("No teacher is on the rosters of the invited bridges, so there is nothing to report."),
    )


def cover(report: AttendanceReport) -> Cover:
    """The signed first sheet: a few columns by district (they fit a portrait page at full size)."""
    groups = report.groups
    n = NUMBER_WIDTH
    columns = [
        serial_column(len(groups)),
        text_column("district", _("District / intermediate bridge"), [g.name for g in groups], 14, 22),
        Column("invited", _("Bridges invited"), INT, n),
        Column("checked_in", _("Bridges checked in"), INT, n),
        Column("expected", _("Teachers expected"), INT, n),
        Column("rate", _("Attendance rate"), PERCENT, n),
        Column("completed", _("Completed"), INT, n),
        Column("completed_pct", _("Completed (%)"), PERCENT, n),
        Column("certificates", _("Certificates issued"), INT, n),
    ]

    def values(no, label: str, group: GroupRow) -> list:
        return [no, label, group.invited, group.checked_in, group.expected, report.rate(group), group.completed,
                share(group.completed, group.teachers), group.certificates]

    rows = [values(i, g.name, g) for i, g in enumerate(groups, start=1)]
    table = Table(name=_("Report"), slug="bao-cao", title="", columns=columns, rows=rows, row_count=len(rows),
                  total=values(None, _("Total"), report.total) if rows else None,
                  empty_message=_("No bridge has been invited to this event, so there is nothing to report."))
    training = report.event.kind == Event.Kind.TRAINING
    return Cover(
        name=_("Report"), title=_("REPORT"),
        subtitle=_("Attendance and completion of the training") if training else _("Attendance at the event"),
        table=table, notes=_summary_notes(report),
        chart=CoverChart(_("Attendance rate and completion by district"), "district",
                         ["rate", "completed_pct"]) if rows else None,
    )


BUILDERS = {SUMMARY: summary_table, BRIDGES: bridges_table, TEACHERS: teachers_table}


def attendance_tables(report: AttendanceReport) -> list[Table]:
    return [BUILDERS[name](report) for name in SHEETS]
