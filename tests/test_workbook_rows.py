"""The attendance workbook's rows are streamed as text (reports.xlsx.stream_rows, issue 14: the export as fast
as bare openpyxl): the same XML openpyxl's own writer makes, and the values read back as they went in."""

import io
import math
import re
import zipfile
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook, load_workbook

from reports.tables import DATE, DATETIME, DECIMAL, INT, PERCENT, TEXT, Column, Table
from reports.workbook import FIRST_DATA_ROW, write_workbook
from reports.xlsx import PreparedRow, Styles, TitleBlock

TRICKY_TEXTS = ["a & b <c> \"d\"", " padded ", "   ", "", "=1+1", "-5", "line\nbreak", "Nguyễn Thị Hạnh", "#N/A"]


def _sheet_data(book: bytes, number: int) -> str:
    xml = zipfile.ZipFile(io.BytesIO(book)).read(f"xl/worksheets/sheet{number}.xml").decode()
    return re.search(r"<sheetData>.*</sheetData>", xml, re.S).group(0)


def test_a_prepared_row_is_written_as_openpyxl_writes_the_same_cells():
    wb = Workbook(write_only=True)
    sheets = [wb.create_sheet("text"), wb.create_sheet("openpyxl")]
    for index, ws in enumerate(sheets):
        styles = Styles(ws)
        cells = {kind: styles.prepared(kind) for kind in ("int", "decimal", "date", "datetime", "text-safe")}
        plain, wrap = styles.prepared(None), styles.prepared("wrap")
        # One prepared cell per column (a row holds its cells until it is written), as reports.workbook does.
        flag, ratio = styles.prepared("int"), styles.prepared("decimal")
        ws.row_dimensions[2].height = 33.5
        for n, text in enumerate(TRICKY_TEXTS):
            row = [plain.put(text, "s"), wrap.put(text, "s"), cells["text-safe"].put(text, "s"),
                   cells["int"].put(17878 + n, "n"), cells["decimal"].put(math.pi * n, "n"),
                   cells["date"].put(date(1984, 9, 2), "d"), cells["datetime"].put(datetime(2026, 12, 2, 7, 45), "d"),
                   None, flag.put(True, "b"), ratio.put(math.nan, "n")]
            # The first sheet as a PreparedRow (text), the second as a plain list (openpyxl's element tree).
            ws.append(PreparedRow(row) if index == 0 else list(row))
    out = io.BytesIO()
    wb.save(out)
    text, reference = _sheet_data(out.getvalue(), 1), _sheet_data(out.getvalue(), 2)
    assert text == reference
    assert 'ht="33.5"' in text and 'xml:space="preserve"' in text and "a &amp; b &lt;c&gt;" in text


def test_values_read_back_as_they_went_in(tmp_path):
    columns = [Column("name", "Họ và tên", TEXT, 20, wrap=True), Column("n", "Số", INT), Column("x", "Tỷ lệ", DECIMAL),
               Column("p", "%", PERCENT), Column("d", "Ngày", DATE), Column("t", "Lúc", DATETIME)]
    at = timezone.make_aware(datetime(2026, 12, 2, 7, 45, 30))
    rows = [[text, 17878, 2.5, 0.876, date(1984, 9, 2), at] for text in TRICKY_TEXTS] + [[None] * 6]
    table = Table(name="Giáo viên", title="DANH SÁCH", columns=columns, rows=rows, row_count=len(rows),
                  total=["Tổng", 17878 * len(TRICKY_TEXTS), None, None, None, None])
    block = TitleBlock(issuer="SỞ GD&ĐT", motto="CỘNG HÒA", event_line="Sự kiện", scope_line="Phạm vi",
                       exported_line="lúc 08:00")
    path = tmp_path / "rows.xlsx"
    assert write_workbook(path, [table], block) == len(rows)
    ws = load_workbook(path)["Giáo viên"]
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + len(rows))]
    for text, row in zip(TRICKY_TEXTS, got, strict=False):
        assert row[0] == (text or None)
        assert row[1:5] == [17878, 2.5, 0.876, datetime(1984, 9, 2)]
        assert row[5] == datetime(2026, 12, 2, 7, 45, 30)  # local wall-clock time, no zone
    formula = ws.cell(FIRST_DATA_ROW + TRICKY_TEXTS.index("=1+1"), 1)
    assert formula.data_type == "s" and formula.quotePrefix
    assert ws.cell(FIRST_DATA_ROW, 2).number_format == "#,##0"
    assert ws.cell(FIRST_DATA_ROW, 4).number_format == "0.0%"
    assert got[len(TRICKY_TEXTS)] == [None] * 6
    assert got[-1][:2] == ["Tổng", 17878 * len(TRICKY_TEXTS)] and ws.cell(FIRST_DATA_ROW + len(rows), 1).font.b
