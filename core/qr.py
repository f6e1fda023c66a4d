"""The one QR encoder: PDF pages, roll-call screens and console-link images all draw from here.

Error level M survives a glare spot on a projector or a crease in paper. A fixed mask gives a valid
code and skips evaluating all eight masks, which is most of qrcode's time (bulk letters and
certificates, and a roll-call QR redrawn every window).
"""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

FIXED_MASK = 4


def _code(data: str, *, border: int, mask_pattern: int | None = FIXED_MASK, **kwargs) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, mask_pattern=mask_pattern, **kwargs)
    code.add_data(data)
    code.make(fit=True)
    return code


def matrix(data: str, *, mask_pattern: int | None = FIXED_MASK) -> list[list[bool]]:
    """The modules as rows of booleans, without the quiet zone (vector drawing in PDFs)."""
    return _code(data, border=0, mask_pattern=mask_pattern).get_matrix()


def png(data: str, *, box_size: int = 8, border: int = 4, mask_pattern: int | None = FIXED_MASK) -> bytes:
    buffer = io.BytesIO()
    _code(data, border=border, mask_pattern=mask_pattern, box_size=box_size).make_image().get_image().save(
        buffer, format="PNG")
    return buffer.getvalue()


def svg(data: str, *, border: int = 2, mask_pattern: int | None = FIXED_MASK) -> bytes:
    """A scalable path image: sharp on a projector at any size, a few KB."""
    buffer = io.BytesIO()
    _code(data, border=border, mask_pattern=mask_pattern,
          image_factory=qrcode.image.svg.SvgPathImage).make_image().save(buffer)
    return buffer.getvalue()
