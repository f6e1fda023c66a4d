"""Shared PDF toolkit on reportlab: the bundled Vietnamese font, the canvas, QR codes, NFC text.

Invitations and certificates both build on this. Fonts are registered once per process (reading
and parsing a TTF costs more than laying out a page); QR codes are drawn as vector rectangles so they
stay sharp at any zoom and cost no image encoding; bulk work fixes the QR mask pattern because
choosing the best of the eight masks is most of qrcode's time.

Every PDF starts from `new_canvas` or `DocTemplate`: a reportlab canvas otherwise opens each page
with its default Helvetica, a font it never embeds, which print shops' preflight and PDF/A refuse
(`pdffonts` shows it "emb no" even when no text is set in it).
"""

import threading
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

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
# A printed QR module of 4 pt (1.41 mm) and the standard quiet zone of 4 modules. Measured on a page rendered
# at 72 dpi, turned 7 degrees, blurred and noised (ImageMagick), then read by zbarimg, six console links of
# production length: 0.8-0.9 mm modules (26-40 mm codes) never decoded; 1.23 mm decoded most at 72 dpi and
# none at 62 dpi; 1.41 mm decoded every one at 72 dpi and at 62 dpi (the page ~15 % farther away).
# tests/test_official_documents.py keeps it so. Error level M stays (core.qr): Q or H need a larger version
# for a console link, so smaller modules at the same size.
PRINT_QR_MODULE = 4.0
QUIET_ZONE = 4

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


# The PDF standard fonts reportlab falls back to (a canvas's first font, a table cell holding a plain
# string, a ParagraphStyle without fontName): none is embedded, so each is drawn in a bundled face.
_STANDARD_FONTS = {
    "Helvetica": FONT, "Helvetica-Bold": FONT_BOLD, "Helvetica-Oblique": FONT_ITALIC,
    "Helvetica-BoldOblique": FONT_BOLD, "Times-Roman": FONT, "Times-Bold": FONT_BOLD, "Times-Italic": FONT_ITALIC,
    "Times-BoldItalic": FONT_BOLD, "Courier": FONT, "Courier-Bold": FONT_BOLD, "Courier-Oblique": FONT_ITALIC,
    "Courier-BoldOblique": FONT_BOLD,
}


class EmbeddedFontsCanvas(Canvas):
    """A canvas that starts every page in the bundled font and never sets a standard (unembedded) font."""

    def __init__(self, *args, **kwargs):
        register_fonts()
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)

    def setFont(self, psfontname, size, leading=None):
        super().setFont(_STANDARD_FONTS.get(psfontname, psfontname), size, leading)


def new_canvas(target, **kwargs) -> Canvas:
    """The canvas every directly drawn PDF starts from (certificates)."""
    return EmbeddedFontsCanvas(target, **kwargs)


def _no_decoration(canvas, doc) -> None:
    pass


class DocTemplate(BaseDocTemplate):
    """A flowing document (letters) on EmbeddedFontsCanvas, its one frame exactly inside the margins.

    SimpleDocTemplate pads its frame by 6 pt a side, so a table as wide as the text (page width less the
    margins) stuck out and the page held 4 mm less than the margins say. `later_pages` draws on every page
    after the first (Decree 30 numbers pages from the second one).
    """

    def __init__(self, target, *, later_pages=_no_decoration, **kwargs):
        super().__init__(target, **kwargs)
        self.addPageTemplates([
            PageTemplate(id="first", frames=[self._frame()], autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[self._frame()], onPage=later_pages),
        ])

    def _frame(self) -> Frame:
        return Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="text",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def build(self, flowables, canvasmaker=EmbeddedFontsCanvas) -> int:
        """Lay out and write the document; return its number of pages."""
        register_fonts()
        super().build(flowables, canvasmaker=canvasmaker)
        return self.page


def nfc(value) -> str:
    """Text ready to draw: NFC so every Vietnamese letter is one precomposed glyph of the font."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value))


def markup(value) -> str:
    """NFC text escaped for reportlab Paragraph markup, line breaks kept."""
    return escape(nfc(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def qr_side(data: str, *, module: float = PRINT_QR_MODULE, quiet_zone: int = QUIET_ZONE) -> float:
    """The width in points of `data`'s QR code drawn with `module`-point modules, quiet zone included."""
    return (len(qr.matrix(data)) + 2 * quiet_zone) * module


def draw_qr(canvas, data: str, x: float, y: float, size: float | None = None, *,
            mask_pattern: int | None = BULK_QR_MASK, quiet_zone: int = QUIET_ZONE, matrix=None) -> float:
    """Draw a QR code as vector rectangles with its lower-left corner at (x, y), `size` points wide
    including the quiet zone the scanners need (by default PRINT_QR_MODULE a module); return the size.
    `matrix`: the modules already encoded (core.qr.matrix), so that a layout that measured them encodes once."""
    if matrix is None:
        matrix = qr.matrix(data, mask_pattern=mask_pattern)
    count = len(matrix)
    if size is None:
        size = (count + 2 * quiet_zone) * PRINT_QR_MODULE
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
    return size


class QRFlowable(Flowable):
    """A QR code as a platypus flowable, PRINT_QR_MODULE a module (or `size` points square), quiet zone included."""

    def __init__(self, data: str, size: float | None = None, *, mask_pattern: int | None = BULK_QR_MASK):
        super().__init__()
        self.data = data
        self.matrix = qr.matrix(data, mask_pattern=mask_pattern)
        self.size = size if size is not None else (len(self.matrix) + 2 * QUIET_ZONE) * PRINT_QR_MODULE
        self.width = self.height = self.size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        draw_qr(self.canv, self.data, 0, 0, self.size, matrix=self.matrix)
