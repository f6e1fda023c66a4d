"""Shared PDF toolkit on reportlab: the bundled Vietnamese font, QR codes, NFC text.

Invitations and certificates both build on this. Fonts are registered once per process (reading
and parsing a TTF costs more than laying out a page); QR codes are drawn as vector rectangles so they
stay sharp at any zoom and cost no image encoding; bulk work fixes the QR mask pattern because
choosing the best of the eight masks is most of qrcode's time.
"""

import threading
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

from . import qr

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"

# Family and face names as registered with reportlab.
FONT = "NotoSerif"
FONT_BOLD = "NotoSerif-Bold"
FONT_ITALIC = "NotoSerif-Italic"
_FONT_FILES = {
    FONT: "NotoSerif-Regular.ttf",
    FONT_BOLD: "NotoSerif-Bold.ttf",
    FONT_ITALIC: "NotoSerif-Italic.ttf",
}

BULK_QR_MASK = qr.FIXED_MASK

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the bundled fonts with reportlab (once per process); return the regular face name."""
    global _registered
    if _registered:
        return FONT
    with _lock:
        if not _registered:
            for name, filename in _FONT_FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            # Lets <b> and <i> in Paragraph markup pick the right faces.
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)
            _registered = True
    return FONT


def nfc(value) -> str:
    """Text ready to draw: NFC so every Vietnamese letter is one precomposed glyph of the font."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value))


def markup(value) -> str:
    """NFC text escaped for reportlab Paragraph markup, line breaks kept."""
    return escape(nfc(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def draw_qr(canvas, data: str, x: float, y: float, size: float, *, mask_pattern: int | None = BULK_QR_MASK,
            quiet_zone: int = 4) -> None:
    """Draw a QR code as vector rectangles with its lower-left corner at (x, y), `size` points wide
    including the quiet zone the scanners need."""
    matrix = qr.matrix(data, mask_pattern=mask_pattern)
    count = len(matrix)
    module = size / (count + 2 * quiet_zone)
    left = x + quiet_zone * module
    top = y + size - quiet_zone * module
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        row_y = top - (row_index + 1) * module
        col = 0
        # One rectangle per horizontal run of dark modules keeps the path short.
        while col < count:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < count and row[col]:
                col += 1
            # A hair of overlap with the row above hides anti-aliasing seams in renderers.
            path.rect(left + start * module, row_y, (col - start) * module, module * 1.02)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class QRFlowable(Flowable):
    """A QR code as a platypus flowable, `size` points square (quiet zone included)."""

    def __init__(self, data: str, size: float, *, mask_pattern: int | None = BULK_QR_MASK):
        super().__init__()
        self.data = data
        self.size = size
        self.mask_pattern = mask_pattern
        self.width = self.height = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.data, 0, 0, self.size, mask_pattern=self.mask_pattern)
