"""The certificate page (A4 landscape) drawn with reportlab from a Certificate's snapshot and a template.

One page per certificate, straight canvas calls (no platypus layout pass) because bulk runs draw
thousands. The canvas, fonts and the QR code come from core.pdf (fonts registered and embedded, never
Helvetica; a fixed QR mask; modules large enough for a phone photo of the page), dates from core.dates
(Decree 30: "ngày 02 tháng 12 năm 2026"). Labels are Vietnamese whatever the language of the person who
asks for the file.
"""

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from core import pdf
from core.dates import official_date, official_day
from core.text import fold

from .codes import display
from .models import Certificate, CertificateTemplate

PAGE = landscape(A4)
MARGIN = 36
RED = (0.62, 0.07, 0.07)
INK = (0.1, 0.1, 0.1)


def verify_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify_code", args=[display(code)])


@dataclass
class Layout:
    """A template prepared for drawing many pages: lines split, logo decoded once."""

    issuer: list[str]
    motto: list[str]
    title: str
    completion_text: str
    signer_title: str
    signer_name: str
    place: str
    logo: ImageReader | None


_logo_cache: dict[tuple[str, float], ImageReader] = {}


def _logo(template: CertificateTemplate) -> ImageReader | None:
    if not template.logo:
        return None
    try:
        path = template.logo.path
        key = (path, os.path.getmtime(path))
    except (OSError, ValueError, NotImplementedError):
        return None
    if key not in _logo_cache:
        _logo_cache[key] = ImageReader(path)
    return _logo_cache[key]


def layout_for(template: CertificateTemplate) -> Layout:
    def lines(text):
        return [pdf.nfc(line).strip() for line in (text or "").splitlines() if line.strip()]

    return Layout(
        issuer=lines(template.issuer), motto=lines(template.motto), title=pdf.nfc(template.title),
        completion_text=pdf.nfc(template.completion_text), signer_title=pdf.nfc(template.signer_title),
        signer_name=pdf.nfc(template.signer_name), place=pdf.nfc(template.place), logo=_logo(template),
    )


def _dmy(value: date | None) -> str:
    # A birth date is an identity datum, written as on an identity card; dates in sentences are official_day.
    return value.strftime("%d/%m/%Y") if value else ""


def _centered_lines(c: Canvas, lines: list[str], x: float, y: float, faces: list[str], size: float,
                    leading: float) -> float:
    for index, line in enumerate(lines):
        c.setFont(faces[min(index, len(faces) - 1)], size)
        c.drawCentredString(x, y, line)
        y -= leading
    return y


def _rule(c: Canvas, x: float, y: float, width: float) -> None:
    c.setLineWidth(0.7)
    c.line(x - width / 2, y, x + width / 2, y)


def _fit(text: str, face: str, size: float, width: float, max_lines: int = 2) -> tuple[list[str], float]:
    """Wrap into at most max_lines lines, shrinking the type if it does not fit."""
    while True:
        lines = simpleSplit(text, face, size, width)
        if len(lines) <= max_lines or size <= 10:
            return lines, size
        size -= 1


def draw_certificate(c: Canvas, cert: Certificate, layout: Layout) -> None:
    width, height = PAGE
    with translation.override("vi"):
        c.setStrokeColorRGB(*RED)
        c.setLineWidth(3)
        c.rect(MARGIN - 12, MARGIN - 12, width - 2 * MARGIN + 24, height - 2 * MARGIN + 24)
        c.setLineWidth(0.8)
        c.rect(MARGIN - 6, MARGIN - 6, width - 2 * MARGIN + 12, height - 2 * MARGIN + 12)
        c.setFillColorRGB(*INK)
        c.setStrokeColorRGB(*INK)

        # Header: issuing body on the left (with the logo), national motto on the right.
        left_x, right_x, top = width * 0.27, width * 0.70, height - MARGIN - 22
        if layout.logo is not None:
            c.drawImage(layout.logo, MARGIN + 4, top - 48, width=56, height=56, preserveAspectRatio=True, mask="auto")
        y = _centered_lines(c, layout.issuer, left_x, top, [pdf.FONT, pdf.FONT_BOLD], 11.5, 15)
        if layout.issuer:
            _rule(c, left_x, y + 8, 90)
        c.setFont(pdf.FONT, 11)
        c.drawCentredString(left_x, y - 8, _("No.: %(number)s") % {"number": pdf.nfc(cert.number)})
        y = _centered_lines(c, layout.motto, right_x, top, [pdf.FONT_BOLD], 11.5, 15)
        if layout.motto:
            _rule(c, right_x, y + 8, 150)

        # Title and the holder.
        c.setFillColorRGB(*RED)
        c.setFont(pdf.FONT_BOLD, 34)
        c.drawCentredString(width / 2, height - 190, layout.title)
        c.setFillColorRGB(*INK)
        middle = width / 2
        y = height - 235
        c.setFont(pdf.FONT, 15)
        label = _("This certifies that Mr/Ms:") + " "
        name = pdf.nfc(cert.holder_name)
        label_w = c.stringWidth(label, pdf.FONT, 15)
        name_w = c.stringWidth(name, pdf.FONT_BOLD, 20)
        x0 = middle - (label_w + name_w) / 2
        c.drawString(x0, y, label)
        c.setFont(pdf.FONT_BOLD, 20)
        c.drawString(x0 + label_w, y, name)
        y -= 26
        details = []
        if cert.holder_birth_date:
            details.append(_("Born on %(date)s") % {"date": _dmy(cert.holder_birth_date)})
        if cert.school_name:
            details.append(_("Workplace: %(school)s") % {"school": pdf.nfc(cert.school_name)})
        c.setFont(pdf.FONT, 14)
        for line in details:
            c.drawCentredString(middle, y, line)
            y -= 22
        c.drawCentredString(middle, y, layout.completion_text)
        y -= 26
        title_lines, size = _fit(pdf.nfc(cert.training_title), pdf.FONT_BOLD, 17, width - 2 * MARGIN - 80)
        y = _centered_lines(c, title_lines, middle, y, [pdf.FONT_BOLD], size, size + 5)
        c.setFont(pdf.FONT, 13)
        if cert.training_starts == cert.training_ends:
            when = _("Held on %(day)s") % {"day": official_day(cert.training_starts)}
        else:
            when = _("Held from %(start_day)s to %(end_day)s") % {
                "start_day": official_day(cert.training_starts), "end_day": official_day(cert.training_ends)}
        c.drawCentredString(middle, y - 4, when)

        # Signature block on the right.
        sign_x, sign_y = width * 0.72, 170
        dated = official_date(timezone.localdate(cert.issued_at), layout.place)
        # Regular, not italic: every extra face embeds ~15 KB of font tables in each PDF.
        c.setFont(pdf.FONT, 12)
        c.drawCentredString(sign_x, sign_y, dated)
        c.setFont(pdf.FONT_BOLD, 12.5)
        c.drawCentredString(sign_x, sign_y - 18, layout.signer_title)
        if layout.signer_name:
            c.drawCentredString(sign_x, sign_y - 100, layout.signer_name)

        # Verification: QR code (its quiet zone inside the frame) and the code in words, bottom left.
        qr_size = pdf.draw_qr(c, verify_url(cert.code), MARGIN, MARGIN - 4)
        c.setFont(pdf.FONT, 9.5)
        text_x = MARGIN + qr_size + 4
        c.drawString(text_x, MARGIN + 50, _("Scan to verify, or enter the code at"))
        c.drawString(text_x, MARGIN + 37, settings.SITE_URL + reverse("verify"))
        c.setFont(pdf.FONT_BOLD, 11)
        c.drawString(text_x, MARGIN + 20, display(cert.code))

        if cert.status == Certificate.Status.REVOKED:
            c.saveState()
            c.setFillColorRGB(*RED, alpha=0.35)
            c.translate(width / 2, height / 2)
            c.rotate(20)
            c.setFont(pdf.FONT_BOLD, 72)
            c.drawCentredString(0, 0, _("REVOKED"))
            c.restoreState()


def _canvas(target, title: str) -> Canvas:
    c = pdf.new_canvas(target, pagesize=PAGE, pageCompression=1)
    c.setTitle(pdf.nfc(title))
    c.setAuthor("diemcau")
    return c


def certificate_pdf(cert: Certificate, template: CertificateTemplate | None = None,
                    layout: Layout | None = None) -> bytes:
    if layout is None:
        if template is None:
            from .services import template_for

            template = template_for(cert.event)
        layout = layout_for(template)
    buffer = io.BytesIO()
    c = _canvas(buffer, f"{cert.number} – {cert.holder_name}")
    draw_certificate(c, cert, layout)
    c.showPage()
    c.save()
    return buffer.getvalue()


class Layouts:
    """Layouts per event for runs that mix trainings (a school's ZIP)."""

    def __init__(self):
        self._by_event: dict[int, Layout] = {}

    def __call__(self, cert: Certificate) -> Layout:
        if cert.event_id not in self._by_event:
            from .services import template_for

            self._by_event[cert.event_id] = layout_for(template_for(cert.event))
        return self._by_event[cert.event_id]


def write_merged(certs: Iterable[Certificate], target, title: str,
                 progress: Callable[[int], None] | None = None) -> int:
    """All certificates in one PDF for printing (the font is embedded once)."""
    layouts = Layouts()
    c = _canvas(target, title)
    count = 0
    for cert in certs:
        draw_certificate(c, cert, layouts(cert))
        c.showPage()
        count += 1
        if progress is not None and count % 200 == 0:
            progress(count)
    c.save()
    return count


_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def file_name(cert: Certificate) -> str:
    """An ASCII file name that sorts by number: '0012-nguyen-van-an.pdf'."""
    name = _UNSAFE.sub("-", fold(cert.holder_name)).strip("-") or "giay-chung-nhan"
    return f"{cert.seq:04d}-{name}.pdf"


def zip_of(certs: Iterable[Certificate]) -> bytes:
    """Separate PDFs in a ZIP (PDFs are compressed already: stored, not deflated again)."""
    layouts = Layouts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for cert in certs:
            archive.writestr(file_name(cert), certificate_pdf(cert, layout=layouts(cert)))
    return buffer.getvalue()


def pdf_response(cert, *, inline: bool = False):
    """A certificate as a download (or shown in the browser with `inline`), its file name from `file_name`."""
    from django.http import HttpResponse

    response = HttpResponse(certificate_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{file_name(cert)}"'
    return response
