"""A report table as CSV: the project's one CSV format, written for programs (people get the .xlsx).

- UTF-8 with a byte-order mark (a spreadsheet program that opens it then reads Vietnamese right);
- comma-separated, CRLF line ends, RFC 4180 quoting, and every text cell quoted while numbers are
  not: a reader that keeps quoted fields as text (LibreOffice's "Format quoted field as text",
  csv.QUOTE_NONNUMERIC-style readers) keeps identifiers as typed;
- dates ISO 8601, YYYY-MM-DD; date-times ISO 8601 in local time with the offset,
  YYYY-MM-DDTHH:MM:SS+07:00;
- numbers with "." as the decimal separator and no thousands separator; a percentage column
  (header "(%)") holds the percentage (85.3), one decimal, like a decimal column;
- identifiers (teacher identifiers, bridge codes, phone numbers, certificate numbers) are text with
  every character kept: "012345678901" is never written as a number;
- text a spreadsheet would take for a formula (= + - @, tab, CR) starts with an apostrophe
  (reports.cells.csv_text), since people do open CSV files in spreadsheets;
- no title block, no message rows: a header row, the data rows, then the total row where the table
  has one (its first cell empty, the second "Tổng cộng").

The reports page says the same beside the download buttons (templates/reports/reports.html).
"""

import csv
import io
from datetime import date, datetime

from django.utils import timezone

from .cells import csv_text
from .tables import DECIMAL, PERCENT, TEXT, Progress, Table

PROGRESS_EVERY = 2000


def iso(value: date | datetime) -> str:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _formatter(kind: str):
    def convert(value):
        if value is None:
            return None
        if isinstance(value, date):  # datetimes too
            return iso(value)
        if isinstance(value, str) or kind == TEXT:
            return csv_text(str(value))
        if kind == PERCENT:
            # The header says "%": write 85.3, not 0.853.
            return round(value * 100, 1)
        if kind == DECIMAL:
            return round(float(value), 1)
        return value

    return convert


def write_csv(stream, table: Table, progress: Progress | None = None) -> int:
    """Write to a binary stream; returns the data rows written."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    try:
        # QUOTE_NONNUMERIC: strings quoted, ints and floats bare (None is written as "").
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow([csv_text(c.header) for c in table.columns])
        formats = [_formatter(c.kind) for c in table.columns]
        written = 0
        for row in table.rows:
            writer.writerow([f(v) for f, v in zip(formats, row, strict=True)])
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
        if table.total is not None:
            writer.writerow([f(v) for f, v in zip(formats, table.total, strict=True)])
        text.flush()
    finally:
        text.detach()
    return written
