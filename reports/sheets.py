"""The attendance workbook's three tables: Tổng hợp (per district), Điểm cầu (per bridge), Giáo viên."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .data import AttendanceReport, GroupRow, share
from .tables import DATE, DATETIME, DECIMAL, INT, PERCENT, TEXT, ChartSpec, Column, Table

SUMMARY, BRIDGES, TEACHERS = "summary", "bridges", "teachers"
SHEETS = (SUMMARY, BRIDGES, TEACHERS)


def _rc_present_columns(report: AttendanceReport, with_share: bool) -> list[Column]:
    columns = []
    for rc in report.roll_calls:
        columns.append(Column(f"rc{rc.id}", _("Present: %(label)s") % {"label": rc.label}, INT, 14))
        if with_share:
            columns.append(Column(f"rc{rc.id}_pct", _("Present (%%): %(label)s") % {"label": rc.label}, PERCENT, 12))
    return columns


def summary_table(report: AttendanceReport) -> Table:
    columns = [
        Column("no", _("No."), INT, 6),
        Column("district", _("District / intermediate bridge"), TEXT, 32),
        Column("invited", _("Bridges invited"), INT, 11),
        Column("confirmed", _("Bridges confirmed"), INT, 11),
        Column("confirmed_pct", _("Confirmed (%)"), PERCENT, 10),
        Column("tested", _("Bridges tested OK"), INT, 11),
        Column("checked_in", _("Bridges checked in"), INT, 11),
        Column("checked_in_pct", _("Checked in (%)"), PERCENT, 10),
        Column("minutes", _("Minutes connected (mean per bridge)"), DECIMAL, 13),
        Column("expected", _("Teachers expected"), INT, 12),
        *_rc_present_columns(report, with_share=True),
        Column("rate", _("Attendance rate"), PERCENT, 12),
        Column("teachers", _("Teachers on the rosters"), INT, 12),
        Column("completed", _("Completed"), INT, 11),
        Column("completed_pct", _("Completed (%)"), PERCENT, 10),
        Column("certificates", _("Certificates issued"), INT, 12),
        Column("certificates_pct", _("With certificate (%)"), PERCENT, 11),
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
    columns = [
        Column("no", _("No."), INT, 6),
        Column("code", _("Code"), TEXT, 14),
        Column("bridge", _("Bridge"), TEXT, 36),
        Column("tier", _("Tier"), TEXT, 12),
        Column("district", _("District"), TEXT, 24),
        Column("status", _("Registration"), TEXT, 14),
        Column("readiness", _("Readiness test"), TEXT, 24),
        Column("readiness_at", _("Tested at"), DATETIME, 16),
        Column("head_name", _("Head contact"), TEXT, 22),
        Column("head_phone", _("Phone"), TEXT, 13),
        Column("tech_name", _("Technical contact"), TEXT, 22),
        Column("tech_phone", _("Technical phone"), TEXT, 13),
        Column("email", _("E-mail"), TEXT, 26),
        Column("checked_in_at", _("Checked in at"), DATETIME, 16),
        Column("headcount", _("People present (headcount)"), INT, 12),
        Column("minutes", _("Minutes connected"), DECIMAL, 11),
        Column("expected", _("Teachers expected"), INT, 11),
        *_rc_present_columns(report, with_share=False),
    ]

    def rows():
        for i, b in enumerate(report.bridges, start=1):
            row = [i, b.code, b.name, b.tier_label, b.district_name, b.status_label, _readiness_text(b),
                   b.readiness_at, b.head_name, b.head_phone, b.tech_name, b.tech_phone, b.email,
                   b.checked_in_at, b.headcount, b.minutes, b.expected]
            row += [b.present.get(rc.id, 0) if rc.held else None for rc in report.roll_calls]
            yield row

    total = None
    if report.bridges:
        t = report.total
        total = [None, _("Total"), _("%(count)s bridges") % {"count": t.invited}, None, None, None, None, None,
                 None, None, None, None, None, None, t.headcount, round(t.minutes, 1), t.expected]
        total += [t.present.get(rc.id, 0) if rc.held else None for rc in report.roll_calls]
    return Table(
        name=_("Bridges"), slug="diem-cau", title=_("ATTENDANCE BY BRIDGE"), columns=columns, rows=rows(),
        row_count=len(report.bridges), total=total, frozen_columns=3,
        empty_message=_("No bridge has been invited to this event, so there is nothing to report."),
    )


def teachers_table(report: AttendanceReport) -> Table:
    held = [rc for rc in report.roll_calls if rc.held]
    columns = [
        Column("no", _("No."), INT, 7),
        Column("teacher_id", _("Teacher identifier"), TEXT, 15),
        Column("name", _("Full name"), TEXT, 28),
        Column("birth_date", _("Birth date"), DATE, 12),
        Column("subject", _("Subject / role"), TEXT, 18),
        Column("school", _("School / bridge"), TEXT, 32),
        Column("district", _("District"), TEXT, 22),
        *[Column(f"rc{rc.id}", rc.label, TEXT, 16) for rc in report.roll_calls],
        Column("present", _("Times present"), INT, 9),
        Column("held", _("Roll calls held"), INT, 9),
        Column("present_pct", _("Present (%)"), PERCENT, 9),
        Column("eligible", _("Completed"), TEXT, 10),
        Column("certificate", _("Certificate number"), TEXT, 16),
    ]
    absent, yes, no = _("absent"), _("yes"), _("no")
    present_word = _("present")
    zone = timezone.get_current_timezone()

    def cell(rc, checkins):
        if not rc.held:
            return None
        at = checkins.get(rc.id)
        if at is None:
            return absent
        at = at.astimezone(zone)  # 18,000 × 3 cells: one conversion each, formatted by hand
        return f"{present_word} {at.hour:02d}:{at.minute:02d}"

    def rows():
        for i, p in enumerate(report.people, start=1):
            present = sum(1 for rc in held if rc.id in p.checkins)
            row = [i, p.teacher_id, p.full_name, p.birth_date, p.subject, p.school_name, p.district_name]
            row += [cell(rc, p.checkins) for rc in report.roll_calls]
            row += [present, len(held), share(present, len(held)), yes if p.eligible else no, p.certificate]
            yield row

    return Table(
        name=_("Teachers"), slug="giao-vien", title=_("ATTENDANCE BY TEACHER"), columns=columns, rows=rows(),
        row_count=len(report.people), frozen_columns=3,
        empty_message=_("No teacher is on the rosters of the invited bridges, so there is nothing to report."),
    )


BUILDERS = {SUMMARY: summary_table, BRIDGES: bridges_table, TEACHERS: teachers_table}


def attendance_tables(report: AttendanceReport) -> list[Table]:
    return [BUILDERS[name](report) for name in SHEETS]
