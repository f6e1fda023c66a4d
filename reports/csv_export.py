"""A report table as CSV: UTF-8 with a byte-order mark, so that Excel opens Vietnamese text correctly."""

import csv
import io
from datetime import date, datetime

from .cells import csv_text, date_text
from .tables import DECIMAL, PERCENT, Progress, Table

PROGRESS_EVERY = 2000


def _formatter(kind: str):
    def convert(value):
        if value is None:
            return ""
        if isinstance(value, datetime | date):
            return date_text(value)
        if isinstance(value, str):
            return csv_text(value)
        if kind == PERCENT:
            # The header says "%": write 85.3, not 0.853.
            return f"{value * 100:.1f}"
        if kind == DECIMAL:
            return f"{value:.1f}"
        return str(value)

    return convert


def write_csv(stream, table: Table, progress: Progress | None = None) -> int:
    """Write to a binary stream; returns the data rows written."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
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
        if not written and table.empty_message:
            writer.writerow([csv_text(table.empty_message)])
        text.flush()
    finally:
        text.detach()
    return written
