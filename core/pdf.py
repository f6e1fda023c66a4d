"""Shared PDF toolkit on reportlab: the bundled Vietnamese font, QR codes, NFC text.

Invitations and certificates both build on this. Fonts are registered once per process (reading
and parsing a TTF costs more than laying out a page); QR codes are drawn as vector rectangles so they
stay sharp at any zoom and cost no image encoding; bulk work fixes the QR mask pattern because
choosing the best of the eight masks is most of qrcode's time.
"""

import io
import threading
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

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

# Any fixed mask gives a valid code; one that is fixed saves evaluating all eight per code.
BULK_QR_MASK = 4

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


def qr_matrix(data: str, *, mask_pattern: int | None = BULK_QR_MASK, error_correction=ERROR_CORRECT_M):
    """The QR modules as rows of booleans, without the quiet zone."""
    code = qrcode.QRCode(error_correction=error_correction, border=0, mask_pattern=mask_pattern)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def draw_qr(canvas, data: str, x: float, y: float, size: float, *, mask_pattern: int | None = BULK_QR_MASK,
            quiet_zone: int = 4) -> None:
    """Draw a QR code as vector rectangles with its lower-left corner at (x, y), `size` points wide
    including the quiet zone the scanners need."""
    matrix = qr_matrix(data, mask_pattern=mask_pattern)
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


def qr_image(data: str, *, box_size: int = 8, border: int = 4, mask_pattern: int | None = BULK_QR_MASK):
    """The QR code as a PIL image (for HTML pages or a raster canvas)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border,
                         mask_pattern=mask_pattern)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image()


def qr_image_reader(data: str, **kwargs) -> ImageReader:
    """The QR code as a reportlab ImageReader for canvas.drawImage."""
    return ImageReader(qr_image(data, **kwargs).convert("1"))


def qr_png(data: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    qr_image(data, **kwargs).save(buffer, format="PNG")
    return buffer.getvalue()
