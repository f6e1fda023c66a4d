"""Zip archives a user sends (every .xlsx is one), judged by what they declare before anything is inflated.

A zip bomb is a few hundred KB that inflates to hundreds of MB: openpyxl parsing such a workbook took
~575 MB of memory before the import refused it for its rows. Python's zipfile never inflates an entry
past its declared size (it stops there and fails the CRC), so the central directory's sizes are a
bound we can trust, read without inflating anything:

- at most MAX_ENTRIES entries;
- the declared sizes add up to at most `max_unpacked` (the caller's absolute cap), and to at most
  MAX_RATIO times the archive's own size (above a floor, FREE_UNPACKED, so a small workbook's styles
  never count against it). Real workbooks inflate 10 to 20 times (measured: a 20,000-row roster 10x,
  a sheet of one repeated letter 19x); a bomb inflates a thousand times.

Every reader of an uploaded zip or xlsx asks `require_modest_zip` first: the bridge import
(bridges.importing.reading), an invitation list (events.services.invitations), an XLSForm
(schoolreports.xlsform).
"""

import io
import os
import zipfile

from django.utils.translation import gettext as _

from .errors import Refused

MAX_RATIO = 100
FREE_UNPACKED = 10 * 1024 * 1024
MAX_ENTRIES = 10_000


class ArchiveRefused(Refused):
    code = "archive_too_large"


def _size(source) -> int:
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    position = source.tell()
    size = source.seek(0, io.SEEK_END)
    source.seek(position)
    return size


def declared_size(source) -> tuple[int, int]:
    """(entries, total declared uncompressed bytes) from the central directory; zipfile.BadZipFile if none."""
    opened = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    with zipfile.ZipFile(opened) as archive:
        infos = archive.infolist()
        return len(infos), sum(info.file_size for info in infos)


def require_modest_zip(source, *, max_unpacked: int) -> None:
    """Refuse (ArchiveRefused) an archive that would inflate past the bounds above; a file that is no zip
    at all raises zipfile.BadZipFile, for the caller to word as it words unreadable files."""
    entries, unpacked = declared_size(source)
    allowed = min(max_unpacked, max(FREE_UNPACKED, MAX_RATIO * _size(source)))
    if entries > MAX_ENTRIES or unpacked > allowed:
        raise ArchiveRefused(_("The file unpacks to %(size)s MB, more than a spreadsheet of its size can hold "
                               "(at most %(allowed)s MB). It is refused without being opened.")
                             % {"size": f"{unpacked / 1e6:,.0f}", "allowed": f"{allowed / 1e6:,.0f}"})
