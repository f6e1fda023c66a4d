"""The invitation letter (giấy mời) of a bridge as an A4 PDF, in the layout of a Vietnamese official letter.

The event part (agenda table, times, participant groups) is computed once per event and reused for
every bridge, so bulk generation only lays out what differs: the addressee, place, room and QR.
"""

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bridges.models import Bridge
from bridges.services import console_url
from core.pdf import FONT, FONT_BOLD, FONT_ITALIC, QRFlowable, markup, nfc, register_fonts

from .calendar import event_queryset, fmt_time, local
from .models import Event, Invitation

# Margins of Vietnamese administrative documents (Nghị định 30/2020): left 30 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 3 * cm, 1.8 * cm, 2 * cm, 2 * cm
WIDTH = A4[0] - LEFT - RIGHT
QR_SIZE = 3.6 * cm


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=12, leading=16, alignment=TA_JUSTIFY)
    return {
        "body": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, alignment=TA_CENTER),
        "head_small": ParagraphStyle("head_small", parent=base, fontSize=11.5, leading=15, alignment=TA_CENTER),
        "date": ParagraphStyle("date", parent=base, fontName=FONT_ITALIC, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=22,
                                alignment=TA_CENTER, spaceBefore=14),
        "subject": ParagraphStyle("subject", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER, spaceAfter=8),
        "to": ParagraphStyle("to", parent=base, alignment=TA_CENTER, spaceAfter=8),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=13.5, alignment=TA_LEFT),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=13.5,
                                    alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, alignment=TA_LEFT),
        "sign": ParagraphStyle("sign", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER),
        "recipients": ParagraphStyle("recipients", parent=base, fontSize=10, leading=13, alignment=TA_LEFT),
    }


_STYLES: dict[str, ParagraphStyle] | None = None


def styles() -> dict[str, ParagraphStyle]:
    global _STYLES
    if _STYLES is None:
        _STYLES = _styles()
    return _STYLES


def issuer_name(event: Event) -> str:
    return nfc(settings.INVITATION_ISSUER or event.host.name)


def _when(event: Event) -> str:
    start, end = local(event.starts_at), local(event.ends_at)
    if start.date() == end.date():
        return _("from %(start)s to %(end)s, %(date)s (Vietnam time)") % {
            "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "date": f"{start:%d/%m/%Y}"}
    return _("from %(start)s to %(end)s (Vietnam time)") % {
        "start": f"{start:%H:%M %d/%m/%Y}", "end": f"{end:%H:%M %d/%m/%Y}"}


def _date_line(today) -> str:
    values = {"day": f"{today:%d}", "month": f"{today:%m}", "year": f"{today:%Y}"}
    place = nfc(settings.INVITATION_PLACE)
    if place:
        return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {"place": place, **values}
    return _("Day %(day)s month %(month)s year %(year)s") % values


@dataclass
class EventSheet:
    """What every invitation of an event shares, laid out once."""

    event: Event
    issuer: str
    header: Table
    date_line: str
    when: str
    agenda: Table | None
    groups: dict[int, str] = field(default_factory=dict)

    @classmethod
    def build(cls, event: Event, today=None) -> "EventSheet":
        st = styles()
        issuer = issuer_name(event)
        today = local(today or timezone.now())
        date_line = _date_line(today)
        # Each column is one cell, so the motto stays right under the national title however
        # many lines the issuer's name takes on the left.
        header = Table(
            [[[Paragraph(markup(issuer.upper()), st["head"]), Paragraph("―――――", st["head_small"])],
              [Paragraph(markup(_("SOCIALIST REPUBLIC OF VIETNAM")), st["head"]),
               Paragraph("<u>" + markup(_("Independence - Freedom - Happiness")) + "</u>", st["head"]),
               Spacer(0, 6), Paragraph(markup(date_line), st["date"])]]],
            colWidths=[WIDTH * 0.42, WIDTH * 0.58],
        )
        header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        return cls(
            event=event, issuer=issuer, header=header, date_line=date_line, when=_when(event),
            agenda=_agenda_table(event),
            groups={group.tier_id: group.description for group in event.participant_groups.all()},
        )


def _agenda_table(event: Event) -> Table | None:
    st = styles()
    rows = [[Paragraph(markup(_("Time")), st["cell_head"]), Paragraph(markup(_("Item")), st["cell_head"]),
             Paragraph(markup(_("Presented by")), st["cell_head"])]]
    session_rows = []
    for session in event.sessions.all():
        session_rows.append(len(rows))
        rows.append([Paragraph(f"<b>{fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}</b>", st["cell"]),
                     Paragraph(f"<b>{markup(session.title)}</b>", st["cell"]), ""])
        for item in session.agenda.all():
            rows.append([Paragraph(f"{fmt_time(item.starts_at)}–{fmt_time(item.ends_at)}", st["cell"]),
                         Paragraph(markup(item.title), st["cell"]), Paragraph(markup(item.speaker), st["cell"])])
    if len(rows) == 1:
        return None
    table = Table(rows, colWidths=[WIDTH * 0.2, WIDTH * 0.5, WIDTH * 0.3], repeatRows=1)
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    commands += [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f7f7")) for r in session_rows]
    table.setStyle(TableStyle(commands))
    return table


def _place(sheet: EventSheet, bridge: Bridge) -> str:
    host = sheet.event.host
    here = ", ".join(p for p in (nfc(bridge.name), nfc(bridge.address)) if p)
    if bridge.pk == host.pk:
        return here
    main = ", ".join(p for p in (nfc(host.name), nfc(host.address)) if p)
    return _("at the bridge point %(bridge)s; host bridge: %(host)s") % {"bridge": here, "host": main}


def _connection_text(event: Event, invitation: Invitation | None) -> str:
    lines = [_("Before the opening, the person in charge of the bridge scans the QR code (or opens the link "
               "under it) to open the bridge console: confirm attendance, run the technical test (camera, "
               "microphone, connection), check the bridge in and take the roll call. The link belongs to this "
               "bridge only: do not share it publicly.")]
    if invitation is not None and invitation.room_id:
        lines.append(_("Video room: %(room)s.") % {"room": nfc(invitation.room.label)})
    if invitation is not None and invitation.viewer and event.livestream_url:
        lines.append(_("This bridge follows the livestream: %(url)s") % {"url": event.livestream_url})
    return "<br/>".join(markup(line) for line in lines)


def story(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None = None, console: str | None = None):
    st = styles()
    event = sheet.event
    console = console if console is not None else console_url(bridge)
    who = sheet.groups.get(bridge.tier_id, "")
    label = lambda text: f"<b>{markup(text)}</b> "  # noqa: E731
    flow = [
        sheet.header,
        Paragraph(markup(_("INVITATION")), st["title"]),
        Paragraph(markup(_("Re: %(title)s") % {"title": event.title}), st["subject"]),
        Paragraph(label(_("To:")) + markup(bridge.name), st["to"]),
        Paragraph(markup(_("%(issuer)s respectfully invites %(bridge)s to attend: %(title)s.") % {
            "issuer": sheet.issuer, "bridge": bridge.name, "title": event.title}), st["body"]),
        Spacer(0, 4),
        Paragraph(label(_("Time:")) + markup(sheet.when), st["body"]),
        Paragraph(label(_("Place:")) + markup(_place(sheet, bridge)), st["body"]),
    ]
    if who:
        flow.append(Paragraph(label(_("Who attends:")) + markup(who), st["body"]))
    if event.description:
        flow += [Spacer(0, 4), Paragraph(markup(event.description), st["body"])]
    if sheet.agenda is not None:
        flow += [Spacer(0, 6), Paragraph(label(_("Agenda:")), st["body"]), Spacer(0, 3), sheet.agenda]
    qr_block = Table(
        [[QRFlowable(console, QR_SIZE),
          Paragraph(label(_("Connecting:")) + _connection_text(event, invitation), st["cell"])],
         [Paragraph(markup(console), st["small"]), ""]],
        colWidths=[QR_SIZE + 0.4 * cm, WIDTH - QR_SIZE - 0.4 * cm],
    )
    qr_block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, 1), (1, 1)),
                                  ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    flow += [Spacer(0, 10), KeepTogether([qr_block])]
    closing = Table(
        # Each string on its own: gettext calls inside an f-string are never extracted for translation.
        [[Paragraph("<b><i>" + markup(_("Recipients:")) + "</i></b><br/>- " + markup(_("As above;")) + "<br/>- "
                    + markup(_("Archive.")), st["recipients"]),
          Paragraph(markup(sheet.issuer.upper()), st["sign"])]],
        colWidths=[WIDTH * 0.45, WIDTH * 0.55],
    )
    closing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    flow += [Spacer(0, 12), KeepTogether([closing])]
    return flow


def render(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None = None, *,
           console: str | None = None) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP, bottomMargin=BOTTOM,
        title=nfc(_("Invitation – %(title)s – %(bridge)s") % {"title": sheet.event.title, "bridge": bridge.name}),
        author=sheet.issuer, subject=nfc(sheet.event.title), creator="diemcau", lang="vi",
    )
    doc.build(story(sheet, bridge, invitation, console))
    return buffer.getvalue()


def invitation_pdf(invitation: Invitation) -> bytes:
    """One bridge's invitation, read fresh from the database."""
    event = event_queryset().get(pk=invitation.event_id)
    return render(EventSheet.build(event), invitation.bridge, invitation)


def filename(event: Event, bridge: Bridge) -> str:
    return f"giay-moi-{event.pk}-{bridge.code}.pdf"
