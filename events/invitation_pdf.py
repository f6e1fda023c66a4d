"""The invitation letter (giấy mời) of a bridge as an A4 PDF laid out as an official letter (Decree 30/2020/NĐ-CP).

Header: governing and issuing body with the letter's number on the left, national title, motto and the
place and date on the right. Then the title and summary line, the addressee, the invitation, the body,
time, place and attendees beside the console QR, the agenda, and "Nơi nhận:" beside the signer's block.
The words come from the event's letter fields (events.services.letters, every empty one with its
fallback) and gettext; dates from core.dates; fonts, canvas and QR from core.pdf.

One page for a normal agenda: a letter is laid out in the normal density, and again in the compact one
(smaller agenda and body type, less signature space) only when the normal one takes a second page (the
event's next letters then start compact); a longer agenda flows on, pages numbered from the second one as
Decree 30 asks.

The event part (letter text, times, participant groups, header and agenda tables) is computed once per
event and reused for every bridge, so bulk generation only lays out what differs: the addressee, place,
room and QR.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from bridges.models import Bridge, new_console_token
from bridges.services import console_url
from core import pdf
from core.dates import official_day
from core.pdf import FONT, FONT_BOLD, FONT_ITALIC, markup, nfc

from .calendar import event_queryset, fmt_time, local
from .models import Event, Invitation, InvitationLetter
from .services import letters

# Margins of Vietnamese administrative documents (Decree 30/2020, appendix I): top and bottom 20-25 mm,
# left 30-35 mm, right 15-20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
WIDTH = A4[0] - LEFT - RIGHT

# Type sizes and spaces per density. "signature" is the room for the signature and seal between the
# signer's title and name.
DENSITIES = {
    "normal": {"body": 12, "leading": 14, "cell": 9.5, "cell_leading": 11.5, "cell_pad": 2, "connect": 9.5,
               "connect_leading": 11.5, "signature": 18 * mm, "gap": 1.0},
    "compact": {"body": 11.5, "leading": 13, "cell": 9, "cell_leading": 10.5, "cell_pad": 1.5, "connect": 9,
                "connect_leading": 10.5, "signature": 15 * mm, "gap": 0.6},
}


def _styles(density: str) -> dict:
    pdf.register_fonts()
    d = DENSITIES[density]
    base = ParagraphStyle("base", fontName=FONT, fontSize=d["body"], leading=d["leading"], alignment=TA_JUSTIFY)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    bold_center = ParagraphStyle("bold_center", parent=center, fontName=FONT_BOLD)
    cell = ParagraphStyle("cell", parent=base, fontSize=d["cell"], leading=d["cell_leading"], alignment=TA_LEFT)
    return {
        "density": d,
        "body": base,
        "body_first": ParagraphStyle("body_first", parent=base, firstLineIndent=1 * cm),
        # The header keeps its sizes in both densities: it is what makes the letter official.
        "head_upper": ParagraphStyle("head_upper", parent=center, fontSize=12, leading=14.5),
        "head": ParagraphStyle("head", parent=bold_center, fontSize=12, leading=14.5),
        "motto": ParagraphStyle("motto", parent=bold_center, fontSize=12.5, leading=15),
        "number": ParagraphStyle("number", parent=center, fontSize=12.5, leading=15),
        "date": ParagraphStyle("date", parent=center, fontName=FONT_ITALIC, fontSize=12.5, leading=15),
        "title": ParagraphStyle("title", parent=bold_center, fontSize=14, leading=17, spaceBefore=7 * d["gap"]),
        "subject": ParagraphStyle("subject", parent=bold_center, fontSize=12.5, leading=15, spaceAfter=4 * d["gap"]),
        "to": ParagraphStyle("to", parent=center, spaceAfter=4 * d["gap"]),
        "detail": ParagraphStyle("detail", parent=base, spaceAfter=2 * d["gap"]),
        "connect": ParagraphStyle("connect", parent=base, fontSize=d["connect"], leading=d["connect_leading"]),
        "link": ParagraphStyle("link", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "cell": cell,
        "cell_head": ParagraphStyle("cell_head", parent=cell, fontName=FONT_BOLD, alignment=TA_CENTER),
        "sign": ParagraphStyle("sign", parent=bold_center, fontSize=12.5, leading=15.5),
        "recipients_head": ParagraphStyle("recipients_head", parent=base, fontName=FONT_BOLD, fontSize=11.5,
                                          leading=14, alignment=TA_LEFT),
        "recipients": ParagraphStyle("recipients", parent=base, fontSize=10.5, leading=13, alignment=TA_LEFT),
    }


_STYLES: dict[str, dict] = {}


def styles(density: str = "normal") -> dict:
    if density not in _STYLES:
        _STYLES[density] = _styles(density)
    return _STYLES[density]


def issuer_name(event: Event) -> str:
    return nfc(letters.issuer_name(event, letters.letter_of(event)))


def _when(event: Event) -> str:
    start, end = local(event.starts_at), local(event.ends_at)
    if start.date() == end.date():
        return _("from %(start)s to %(end)s, %(day)s (Vietnam time)") % {
            "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "day": official_day(start)}
    return _("from %(start)s, %(start_day)s to %(end)s, %(end_day)s (Vietnam time)") % {
        "start": f"{start:%H:%M}", "start_day": official_day(start), "end": f"{end:%H:%M}",
        "end_day": official_day(end)}


def _rule(text: str, font: str, size: float, share: float = 1.0) -> HRFlowable:
    """The line Decree 30 draws under the issuing body (about a third of it) and under the motto (all of it)."""
    width = max(stringWidth(line, font, size) for line in text.split("\n")) * share
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=2.5, spaceAfter=4, hAlign="CENTER")


def _header(text: letters.LetterText, st: dict) -> Table:
    issuer = nfc(text.issuer).upper()
    left = []
    if text.parent_body:
        left.append(Paragraph(markup(nfc(text.parent_body).upper()), st["head_upper"]))
    left += [Paragraph(markup(issuer), st["head"]), _rule(issuer, FONT_BOLD, 12, 0.35),
             Paragraph(markup(text.number), st["number"])]
    motto = _("Independence - Freedom - Happiness")
    right = [Paragraph(markup(_("SOCIALIST REPUBLIC OF VIETNAM")), st["head"]),
             Paragraph(markup(motto), st["motto"]), _rule(motto, FONT_BOLD, 12.5),
             Paragraph(markup(text.date_line), st["date"])]
    # Each column is one cell, so the motto stays right under the national title however many lines the
    # issuer's name takes on the left.
    header = Table([[left, right]], colWidths=[WIDTH * 0.42, WIDTH * 0.58])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return header


def _agenda_table(event: Event, st: dict) -> Table | None:
    """Time | item, the presenter in italics after it: one column fewer than a presenter column, so most
    items take one line."""
    rows = [[Paragraph(markup(_("Time")), st["cell_head"]), Paragraph(markup(_("Agenda")), st["cell_head"])]]
    session_rows = []
    for session in event.sessions.all():
        session_rows.append(len(rows))
        rows.append([Paragraph(f"<b>{fmt_time(session.starts_at)}–{fmt_time(session.ends_at)}</b>", st["cell"]),
                     Paragraph(f"<b>{markup(session.title)}</b>", st["cell"])])
        for item in session.agenda.all():
            text = markup(item.title)
            if item.speaker:
                text += " – <i>" + markup(item.speaker) + "</i>"
            rows.append([Paragraph(f"{fmt_time(item.starts_at)}–{fmt_time(item.ends_at)}", st["cell"]),
                         Paragraph(text, st["cell"])])
    if len(rows) == 1:
        return None
    table = Table(rows, colWidths=[WIDTH * 0.14, WIDTH * 0.86], repeatRows=1)
    commands = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), st["density"]["cell_pad"]),
                ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    commands += [("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f7f7f7")) for row in session_rows]
    table.setStyle(TableStyle(commands))
    return table


@dataclass
class EventSheet:
    """What every invitation of an event shares, laid out once (per density, when first needed)."""

    event: Event
    text: letters.LetterText
    when: str
    groups: dict[int, str] = field(default_factory=dict)
    _tables: dict = field(default_factory=dict, repr=False)
    # The density the last letter needed: the next bridges start there (one layout each, not two); multipage
    # once no density fits a page (a long agenda).
    density: str = "normal"
    multipage: bool = False

    @property
    def issuer(self) -> str:
        return nfc(self.text.issuer)

    @classmethod
    def build(cls, event: Event, today=None, letter: InvitationLetter | None = None) -> "EventSheet":
        """`today`: the date printed when the letter has none of its own (default: today)."""
        letter = letter if letter is not None else letters.letter_of(event)
        if isinstance(today, datetime):
            today = local(today).date()
        sheet = cls(event=event, text=letters.resolve(letter, today=today or timezone.localdate()),
                    when=_when(event),
                    groups={group.tier_id: group.description for group in event.participant_groups.all()})
        sheet.tables("normal")
        return sheet

    def tables(self, density: str) -> tuple[Table, Table | None]:
        """The header and agenda tables in `density`. A platypus table is laid out again for every document
        it is drawn in, so the same objects serve every bridge."""
        if density not in self._tables:
            st = styles(density)
            self._tables[density] = (_header(self.text, st), _agenda_table(self.event, st))
        return self._tables[density]


def _place(sheet: EventSheet, bridge: Bridge) -> str:
    host = sheet.event.host
    here = ", ".join(p for p in (nfc(bridge.name), nfc(bridge.address)) if p)
    if bridge.pk == host.pk:
        return here
    main = ", ".join(p for p in (nfc(host.name), nfc(host.address)) if p)
    return _("at the bridge point %(bridge)s; host bridge: %(host)s") % {"bridge": here, "host": main}


def _connection_text(event: Event, invitation: Invitation | None) -> str:
    lines = [_("The person in charge of the bridge scans the QR code (or opens the link under it) to open the "
               "bridge console: confirm attendance, run the technical test, report the bridge ready and take the "
               "roll call. The link belongs to this bridge only: do not share it.")]
    if invitation is not None and invitation.room_id:
        lines.append(_("Video room: %(room)s.") % {"room": nfc(invitation.room.label)})
    if invitation is not None and invitation.viewer and event.livestream_url:
        lines.append(_("This bridge follows the livestream: %(url)s") % {"url": event.livestream_url})
    return "<br/>".join(markup(line) for line in lines)


def _label(text: str) -> str:
    return f"<b>{markup(text)}</b> "


def _details(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None, console: str, st: dict) -> Table:
    """Time, place, attendees and how to connect, beside the console's QR code (which sets the height)."""
    left = [Paragraph(_label(_("Time:")) + markup(sheet.when), st["detail"]),
            Paragraph(_label(_("Place:")) + markup(_place(sheet, bridge)), st["detail"])]
    who = sheet.groups.get(bridge.tier_id, "")
    if who:
        left.append(Paragraph(_label(_("Who attends:")) + markup(who), st["detail"]))
    left.append(Paragraph(_label(_("Connecting:")) + _connection_text(sheet.event, invitation), st["connect"]))
    code = pdf.QRFlowable(console)
    side = code.size
    # The link on one line under the QR (spanning both columns): broken over lines it could not be copied.
    table = Table([[left, code], [Paragraph(markup(console), st["link"]), ""]],
                  colWidths=[WIDTH - side - 4, side + 4])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0), ("LEFTPADDING", (1, 0), (1, 0), 4),
                               ("SPAN", (0, 1), (1, 1))]))
    return table


def _closing(text: letters.LetterText, st: dict) -> Table:
    """"Nơi nhận:" on the left, the signer's block on the right (Decree 30, appendix I)."""
    recipients = [Paragraph("<i>" + markup(_("Recipients:")) + "</i>", st["recipients_head"])]
    recipients += [Paragraph("- " + markup(line), st["recipients"]) for line in text.recipients]
    signer = [Paragraph(markup(nfc(line).upper()), st["sign"])
              for line in (text.signer_authority, text.signer_title) if line]
    signer.append(Spacer(0, st["density"]["signature"]))
    if text.signer_name:
        signer.append(Paragraph(markup(text.signer_name), st["sign"]))
    closing = Table([[recipients, signer]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    closing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0),
                                 ("RIGHTPADDING", (-1, 0), (-1, -1), 0)]))
    return closing


def story(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None = None, console: str | None = None,
          density: str = "normal"):
    st = styles(density)
    gap = st["density"]["gap"]
    event, text = sheet.event, sheet.text
    header, agenda = sheet.tables(density)
    console = console if console is not None else console_url(bridge)
    flow = [
        header,
        Paragraph(markup(text.title), st["title"]),
        Paragraph(markup(text.subject), st["subject"]),
        Paragraph(_label(_("To:")) + markup(bridge.name), st["to"]),
        Paragraph(markup(_("%(issuer)s respectfully invites %(bridge)s to attend: %(title)s.") % {
            "issuer": text.issuer, "bridge": bridge.name, "title": event.title}), st["body_first"]),
    ]
    flow += [Paragraph(markup(part), st["body_first"]) for part in text.body.splitlines() if part.strip()]
    flow += [Spacer(0, 4 * gap), _details(sheet, bridge, invitation, console, st)]
    if agenda is not None:
        flow += [Spacer(0, 6 * gap), agenda]
    flow += [Spacer(0, 8 * gap), KeepTogether([_closing(text, st)])]
    return flow


def _page_number(canvas, doc) -> None:
    # Decree 30: pages are numbered from the second one, centred in the top margin.
    canvas.saveState()
    canvas.setFont(FONT, 11)
    canvas.drawCentredString(A4[0] / 2, A4[1] - TOP / 2, str(doc.page))
    canvas.restoreState()


def _build(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None, console: str | None,
           density: str) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    doc = pdf.DocTemplate(
        buffer, pagesize=A4, leftMargin=LEFT, rightMargin=RIGHT, topMargin=TOP, bottomMargin=BOTTOM,
        later_pages=_page_number, creator="diemcau", lang="vi", author=sheet.issuer, subject=nfc(sheet.event.title),
        title=nfc(_("Invitation – %(title)s – %(bridge)s") % {"title": sheet.event.title, "bridge": bridge.name}),
    )
    pages = doc.build(story(sheet, bridge, invitation, console, density))
    return buffer.getvalue(), pages


def render(sheet: EventSheet, bridge: Bridge, invitation: Invitation | None = None, *,
           console: str | None = None) -> bytes:
    order = list(DENSITIES)
    first = None
    for density in order[order.index(sheet.density):]:
        data, pages = _build(sheet, bridge, invitation, console, density)
        if pages == 1:
            sheet.density = density
            return data
        if sheet.multipage:
            return data
        first = first or data
    # Longer than a page however dense: the first (larger) type, and the event's next letters try no other.
    sheet.multipage = True
    return first


def invitation_pdf(invitation: Invitation) -> bytes:
    """One bridge's invitation, read fresh from the database."""
    event = event_queryset().get(pk=invitation.event_id)
    return render(EventSheet.build(event), invitation.bridge, invitation)


def preview_pdf(event: Event, letter: InvitationLetter) -> bytes:
    """The letter as `letter` would print it, for the first invited bridge (else a sample school), with a
    sample console link of the real length: nothing is written and no bridge's secret link is shown."""
    event = event_queryset().get(pk=event.pk)
    invitation = (Invitation.objects.filter(event=event).select_related("bridge", "bridge__tier", "room")
                  .order_by("bridge__path").first())
    bridge = invitation.bridge if invitation is not None else Bridge(name=_("Sample school"))
    sample_console = settings.SITE_URL + reverse("console", args=["0" * len(new_console_token())])
    return render(EventSheet.build(event, letter=letter), bridge, invitation, console=sample_console)


def filename(event: Event, bridge: Bridge) -> str:
    return f"giay-moi-{event.pk}-{bridge.code}.pdf"
