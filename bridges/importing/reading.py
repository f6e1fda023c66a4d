"""Turn an uploaded file into sheets of plain cell values, or say in words why it cannot be read.

Only .xlsx (openpyxl) and text files (.csv, or Excel's tab-separated "Unicode Text" .txt) are read.
openpyxl's read-only mode streams the sheet and is several times faster on big rosters, but hides
merged cells; the header detector does not need them (it carries a group title across the empty cells
to its right), so read-only mode is used for every file.
"""

import codecs
import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from core import archives

from . import legacy
from .errors import ImportFileError

OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_SIGNATURE = b"PK\x03\x04"
# Rows beyond this are not an office's list but a mistake or an attack on memory.
MAX_ROWS = 200_000
MAX_COLUMNS = 200
UNPACKED_FACTOR = 30


@dataclass
class Sheet:
    name: str
    # rows[i] holds the cells of sheet row i + 1: str, int, float, date, datetime or None.
    rows: list[list] = field(default_factory=list)
    # How a text file was read: encoding name shown to people, and the cell separator. Empty for workbooks.
    encoding: str = ""
    delimiter: str = ""
    # The cells were typed in a TCVN3 (.VnTime) font and have been converted to Unicode.
    converted_tcvn3: bool = False


# What a person may choose in the preview when the automatic choice reads names wrong. "" = detect.
UTF8, UTF16, CP1258, TCVN3 = "UTF-8", "UTF-16", "Windows-1258", "TCVN3 (ABC)"
ENCODINGS = {"utf-8": UTF8, "utf-16": UTF16, "cp1258": CP1258, "tcvn3": TCVN3}


def encoding_choices() -> list[tuple[str, str]]:
    return [("", _("Detect automatically"))] + list(ENCODINGS.items())


def read_file(path: str | Path, *, encoding: str = "", progress=None) -> list[Sheet]:
    """Every sheet of the file (a CSV is one sheet). Raises ImportFileError with a Vietnamese message.
    encoding: a key of ENCODINGS to override detection; for a workbook only "tcvn3" changes anything
    (its cells are converted from a TCVN3 font), any other choice keeps the cells as stored.
    progress(done, total) is called while a workbook's rows stream in."""
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown text encoding %(name)s.") % {"name": encoding})
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(_("The uploaded file is no longer available; please upload it again.")) from exc
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(too_large_message())
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_SIGNATURE):
        raise ImportFileError(_ole_message(path))
    if head.startswith(ZIP_SIGNATURE):
        return [_convert_tcvn3(sheet, encoding) for sheet in _read_xlsx(path, progress)]
    return [_read_csv(path, encoding)]


def _convert_tcvn3(sheet: Sheet, encoding: str) -> Sheet:
    """A workbook typed in a .VnTime font stores Latin-1 look-alikes of the TCVN3 bytes: convert its text
    cells when the person chose TCVN3, or when nothing was chosen and the sheet's text looks like it."""
    if encoding and encoding != "tcvn3":
        return sheet
    if not encoding:
        sample = " ".join(cell for row in sheet.rows[:2000] for cell in row if isinstance(cell, str))
        if not legacy.looks_like_tcvn3(sample):
            return sheet
    sheet.rows = [[legacy.decode_cell(cell) if isinstance(cell, str) else cell for cell in row]
                  for row in sheet.rows]
    sheet.converted_tcvn3 = True
    return sheet


def too_large_message() -> str:
    return _("The file is too large (limit %(limit)s MB). Remove unneeded sheets or pictures and try again.") % {
        "limit": round(settings.IMPORT_MAX_BYTES / 1024 / 1024, 1)
    }


def _ole_message(path: Path) -> str:
    # Both a password-protected .xlsx and an old .xls are OLE2 compound files; an encrypted package
    # names its stream "EncryptedPackage" (UTF-16 in the directory).
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        return _("The file is protected with a password. Open it in Excel, remove the password "
                 "(File > Info > Protect Workbook), save it and upload it again.")
    return _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx "
             "(Excel Workbook), then upload it again.")


def _not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(_("This file is not a spreadsheet that can be read. Save it as .xlsx "
                             "(Excel Workbook) or .csv and upload it again."))


def _read_xlsx(path: Path, progress=None) -> list[Sheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # A few hundred KB of zip can unpack to gigabytes: judged by the declared sizes, before inflating
        # anything (core.archives: at most UNPACKED_FACTOR x IMPORT_MAX_BYTES, and 100x the file's size).
        archives.require_modest_zip(path, max_unpacked=UNPACKED_FACTOR * settings.IMPORT_MAX_BYTES)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except archives.ArchiveRefused as refused:
        raise ImportFileError(refused.message) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise _not_a_spreadsheet() from exc
    if "xl/workbook.xml" not in names:
        if "mimetype" in names or "content.xml" in names:
            raise ImportFileError(_("OpenDocument spreadsheets (.ods) are not supported. Save the file "
                                    "as .xlsx (Excel Workbook) and upload it again."))
        raise _not_a_spreadsheet()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise _not_a_spreadsheet() from exc
    try:
        sheets = []
        ordered = [workbook.active] + [ws for ws in workbook.worksheets if ws is not workbook.active]
        ordered = [ws for ws in ordered if ws is not None and hasattr(ws, "iter_rows")]
        for index, ws in enumerate(ordered):
            report = None
            if progress is not None:
                def report(rows, expected, index=index):
                    # Each sheet is an equal share of the bar; within it, rows read of the rows the
                    # sheet says it has (a wrong <dimension> only makes the bar jump).
                    share = min(rows / expected, 1.0) if expected else 0.0
                    progress(int(1000 * (index + share)), 1000 * len(ordered))
            sheets.append(Sheet(ws.title, _xlsx_rows(ws, report)))
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged part inside the archive: lxml/openpyxl raise many kinds
        raise _not_a_spreadsheet() from exc
    finally:
        workbook.close()
    return sheets


def _xlsx_rows(ws, report=None) -> list[list]:
    expected = ws.max_row if isinstance(ws.max_row, int) else 0
    # Some writers store a wrong <dimension>; without this the stream would stop at its last row.
    ws.reset_dimensions()
    rows = []
    padded_formats: dict[str, int] = {}
    for cells in ws.iter_rows():
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("The sheet has more than %(count)s rows; split it into smaller files.")
                                  % {"count": f"{MAX_ROWS:,}".replace(",", ".")})
        row = []
        for cell in cells[:MAX_COLUMNS]:
            value = cell.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = _displayed_number(value, cell.number_format, padded_formats)
            row.append(value)
        while row and row[-1] in (None, ""):
            row.pop()
        rows.append(row)
        if report is not None and len(rows) % 2000 == 0:
            report(len(rows), expected)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _displayed_number(value, number_format: str | None, cache: dict[str, int]):
    """A number formatted "000000000000" is shown with its leading zeros: identifiers and phones
    typed as numbers keep them only in the format. Return the text Excel shows in that case."""
    if not number_format:
        return value
    width = cache.get(number_format)
    if width is None:
        fmt = number_format.strip()
        width = len(fmt) if fmt and set(fmt) == {"0"} else 0
        cache[number_format] = width
    if width and float(value).is_integer():
        return str(int(value)).zfill(width)
    return value


# A byte-order mark says the encoding outright. UTF-32 comes first: its little-endian mark begins
# with UTF-16's. Excel's "Unicode Text" is UTF-16 LE with a mark, cells separated by tabs.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
# Without a mark: UTF-8 when the bytes are valid UTF-8 (legacy text with Vietnamese letters almost
# never is), else Windows-1258, what Vietnamese Windows saves as "CSV". Windows-1258 writes most
# tones as combining marks; normalize.text makes every cell NFC, so names compare as typed.
# TCVN3 (ABC) bytes are valid Windows-1258 too; legacy.bytes_look_like_tcvn3 tells them apart by the
# bytes that only TCVN3 uses for letters. The person can still choose in the preview.
DELIMITERS = ("\t", ";", ",")
SNIFF_LINES = 50


def decode_text(raw: bytes, encoding: str = "") -> tuple[str, str]:
    """(text, encoding name shown to people) or ImportFileError when the bytes are not text.
    encoding: a key of ENCODINGS chosen by the person, or "" to detect."""
    if encoding:
        return _decode_as(raw, encoding)
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), label
            except UnicodeDecodeError as exc:
                raise _not_a_spreadsheet() from exc
    # Text in a one-byte encoding or UTF-8 has no NUL bytes; binaries (pictures, PDFs, junk) almost always do.
    if b"\x00" in raw[:65536]:
        raise _not_a_spreadsheet()
    try:
        return raw.decode("utf-8"), UTF8
    except UnicodeDecodeError:
        pass
    if legacy.bytes_look_like_tcvn3(raw):
        return legacy.decode_bytes(raw), TCVN3
    try:
        return raw.decode("cp1258"), CP1258
    except UnicodeDecodeError as exc:  # bytes 1258 leaves undefined: not a Vietnamese text file
        raise _not_a_spreadsheet() from exc


def _decode_as(raw: bytes, encoding: str) -> tuple[str, str]:
    label = ENCODINGS[encoding]
    if encoding == "tcvn3":
        return legacy.decode_bytes(raw.removeprefix(codecs.BOM_UTF8)), label
    codec = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "cp1258": "cp1258"}[encoding]
    try:
        return raw.decode(codec), label
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file cannot be read as %(encoding)s. Choose “Detect automatically” or "
                                "another encoding.") % {"encoding": label}) from exc


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the same number (> 1) of cells most often.
    Excel pads every row of an export to the same width, so the true separator is the consistent one;
    a comma inside a name in a tab-separated file is not. Ties go to tab, then semicolon, then comma."""
    sample = text[:20000].splitlines()
    if len(text) > 20000:
        sample = sample[:-1]  # cut in the middle
    sample = [line for line in sample if line.strip()][:SNIFF_LINES]

    def score(delimiter: str) -> int:
        widths = Counter(len(record) for record in csv.reader(sample, delimiter=delimiter))
        return max((count for width, count in widths.items() if width > 1), default=0)

    return max(DELIMITERS, key=lambda d: (score(d), -DELIMITERS.index(d)))


def _read_csv(path: Path, chosen: str = "") -> Sheet:
    text, encoding = decode_text(path.read_bytes(), chosen)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    if "\x00" in text or _looks_binary(text):
        raise _not_a_spreadsheet()
    delimiter = sniff_delimiter(text)
    rows = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_("The sheet has more than %(count)s rows; split it into smaller files.")
                                      % {"count": f"{MAX_ROWS:,}".replace(",", ".")})
            row = [cell if cell.strip() else None for cell in record[:MAX_COLUMNS]]
            while row and row[-1] is None:
                row.pop()
            rows.append(row)
    except csv.Error as exc:
        raise _not_a_spreadsheet() from exc
    while rows and not rows[-1]:
        rows.pop()
    return Sheet(Path(path).stem, rows, encoding=encoding, delimiter=delimiter, converted_tcvn3=encoding == TCVN3)


def describe(sheets: list[Sheet]) -> list[str]:
    """Lines for the preview saying how a text file was read, and which sheets were typed in TCVN3."""
    converted = [sheet.name for sheet in sheets if sheet.converted_tcvn3 and not sheet.encoding]
    if converted:
        return [_("Text typed with TCVN3 (ABC, .VnTime) fonts was converted to Unicode in: %(sheets)s. Check "
                  "the names below; if they look wrong, choose another encoding.")
                % {"sheets": ", ".join(f"“{name}”" for name in converted)}]
    if not sheets or not sheets[0].encoding:
        return []
    sheet = sheets[0]
    separators = {"\t": _("tabs"), ";": _("semicolons"), ",": _("commas")}
    lines = [_("Text file read as %(encoding)s, cells separated by %(separator)s.")
             % {"encoding": sheet.encoding, "separator": separators[sheet.delimiter]}]
    if sheet.encoding == CP1258:
        lines.append(_("Windows-1258 was assumed because the file is not UTF-8. If names look wrong, choose "
                       "another encoding (for example TCVN3 for a file typed with .VnTime fonts)."))
    elif sheet.encoding == TCVN3:
        lines.append(_("TCVN3 (ABC) was used for the letters typed with .VnTime fonts. If names look wrong, "
                       "choose another encoding."))
    return lines


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(sample) * 0.01
