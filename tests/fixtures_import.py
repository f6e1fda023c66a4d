"""Spreadsheets shaped like the ones offices send, written with openpyxl for the import tests."""

import unicodedata
from datetime import datetime

import openpyxl


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def write_xlsx(path, rows, *, merges=(), number_formats=None, sheet_title="Danh sách", extra_sheets=()):
    """rows: list of lists (None = empty cell). number_formats: {(row, col): format}, 1-based."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for (r, c), fmt in (number_formats or {}).items():
        ws.cell(row=r, column=c).number_format = fmt
    for merge in merges:
        ws.merge_cells(merge)
    for title, extra_rows in extra_sheets:
        other = wb.create_sheet(title, 0)
        for extra in extra_rows:
            other.append(extra)
    wb.save(path)
    return path


BRIDGE_HEADER_TOP = ["STT", "Mã điểm cầu", "Tên điểm cầu", "Cấp", "Địa chỉ", "Người phụ trách", None, None,
                     "Cán bộ kỹ thuật", None, "Email", "Số người dự kiến", "Đường truyền", "Ghi chú"]
BRIDGE_HEADER_BOTTOM = [None, None, None, None, None, "Họ và tên", "Chức vụ", "Số điện thoại",
                        "Họ và tên", "SĐT", None, None, None, None]
BRIDGE_HEADER_MERGES = ["A6:A7", "B6:B7", "C6:C7", "D6:D7", "E6:E7", "F6:H6", "I6:J6", "K6:K7", "L6:L7",
                        "M6:M7", "N6:N7"]


def title_block(width: int, title: str) -> list[list]:
    return [
        ["UBND TỈNH QUẢNG NGÃI"] + [None] * 5 + ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO"] + [None] * 5 + ["Độc lập - Tự do - Hạnh phúc"],
        [title],
        ["(Kèm theo Công văn số 123/SGDĐT-VP ngày 01/03/2025)"],
        [],
    ]


def signature_block() -> list[list]:
    return [
        [],
        [None, None, None, None, None, None, None, "Quảng Ngãi, ngày 05 tháng 3 năm 2025"],
        [None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, "KT. GIÁM ĐỐC"],
        [None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, "PHÓ GIÁM ĐỐC"],
        [],
        [None, "Trần Thị Lập", None, None, None, None, None, "Nguyễn Văn Ký"],
    ]


def bridge_row(stt, code, name, tier="", address="", head=("", "", ""), tech=("", ""), email="", expected=None,
               line="", notes=""):
    return [stt, code, name, tier, address, head[0], head[1], head[2], tech[0], tech[1], email, expected, line, notes]


def province_bridge_list(path):
    """The canonical office list: title block, two-row merged header, column numbers, sections,
    subtotals, total, signature; phones as numbers / with dots / +84; NFD and stray spaces."""
    rows = title_block(14, "DANH SÁCH ĐIỂM CẦU LỄ PHÁT ĐỘNG")
    rows += [BRIDGE_HEADER_TOP, BRIDGE_HEADER_BOTTOM, [f"({i})" for i in range(1, 15)]]
    rows += [
        ["I. ĐIỂM CẦU CHÍNH"],
        bridge_row(1, "QNG", "Trung tâm IOC tỉnh Quảng Ngãi", "Điểm cầu chính", "Đường Hùng Vương",
                   ("Nguyễn Văn An", "Giám đốc", 905123456), ("Lê Kỹ Thuật", "0905.111.222"),
                   "ioc@quangngai.gov.vn", 60, "VNPT 1 Gbps"),
        ["II. HUYỆN BÌNH SƠN"],
        bridge_row(1, "QNG-BS", "Phòng GD&ĐT huyện Bình Sơn", "Huyện", "TT Châu Ổ",
                   ("Phạm Văn Bình", "Trưởng phòng", "+84 912 345 678"), ("Võ Kỹ", "0912.000.111"), "", 15),
        bridge_row(2, "QNG-BS-01", nfd("Trường THCS Bình Thạnh"), "Trường", "Xã Bình Thạnh",
                   ("  Đỗ   Thị  Hoa ", "Hiệu trưởng", 979111222), ("", ""), "thcsbinhthanh@gmail.com", 35),
        bridge_row(3, "QNG-BS-02", "Trường TH Bình Chánh", "Trường", "Xã Bình Chánh",
                   ("Huỳnh Văn Tư", "Hiệu trưởng", "0979 222 333"), ("", ""), "", "40 người"),
        bridge_row(4, "", "", "Trường", "Xã Bình Nguyên", ("Ai Đó", "", ""), ("", ""), "", 20),
        [None, "Cộng", None, None, None, None, None, None, None, None, None, 90],
        ["III. HUYỆN TƯ NGHĨA"],
        bridge_row(1, "QNG-TN", "Phòng GD&ĐT huyện Tư Nghĩa", "Huyện", "TT La Hà",
                   ("Trần Văn Nghĩa", "Trưởng phòng", "0255.3845.123"), ("", ""), "", 15),
        bridge_row(2, "QNG-TN-01", "Trường THCS Nghĩa Kỳ", "Trường", "Xã Nghĩa Kỳ",
                   ("Lê Thị Kỳ", "Hiệu trưởng", 123), ("", ""), "not-an-email", 30),
        bridge_row(3, "QNG-TN-01", "Trường THCS Nghĩa Kỳ", "Trường", "Xã Nghĩa Kỳ",
                   ("Lê Thị Kỳ", "Hiệu trưởng", 123), ("", ""), "not-an-email", 30),
        [None, "Cộng", None, None, None, None, None, None, None, None, None, 45],
        [None, "TỔNG CỘNG", None, None, None, None, None, None, None, None, None, 195],
    ]
    rows += signature_block()
    merges = BRIDGE_HEADER_MERGES + ["A3:N3", "A9:N9", "A11:N11", "A17:N17"]
    return write_xlsx(path, rows, merges=merges)


def flat_bridge_list(path, *, rename_district=False):
    """No code column; districts as rows; the parent written three ways; section-free."""
    district = "H. Bình Sơn" if rename_district else "Huyện Bình Sơn"
    rows = [
        ["DANH SÁCH ĐIỂM CẦU"],
        [],
        ["TT", "Tên đơn vị", "Đơn vị cấp trên", "Cấp", "Họ tên người phụ trách", "SĐT người phụ trách", "Số lượng"],
        [1, "Trung tâm IOC", "", "Điểm cầu chính", "Nguyễn An", "0905123456", 50],
        [2, district, "Trung tâm IOC", "Huyện", "Phạm Bình", "0912345678", 10],
        [3, "Trường TH Bình Minh", "Huyện Bình Sơn", "Trường", "Hồ Minh", "0905.222.333", 20],
        [4, "Trường THCS Bình Dương", "H. Bình Sơn", "Trường", "Lý Dương", "0905 444 555", 25],
        [5, "Trường THPT Bình Sơn", "huyện  Bình Sơn", "Trường", "Tạ Sơn", "+84905666777", 30],
    ]
    return write_xlsx(path, rows)


PEOPLE_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Môn dạy", "Số điện thoại", "Email",
                 "Mã định danh", "Trường"]


def roster(path, school_code="BS-S1", *, with_problems=True):
    rows = [
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NGÃI"],
        ["DANH SÁCH GIÁO VIÊN THAM GIA TẬP HUẤN"],
        [],
        PEOPLE_HEADER,
        [1, nfd("Nguyễn Thị Hồng"), datetime(1985, 3, 7), "Nữ", "Toán", 905123456, "hong@example.vn",
         12345678901, school_code],
        [2, "  Trần   Văn  Minh ", "15/08/1979", "Nam", "Ngữ văn", "0905.234.567", "", "001079001234", school_code],
        [3, "Lê Thị Lan", "01/01/1990", "Nữ", "Tiếng Anh", "+84 905 345 678", "", "", school_code],
    ]
    formats = {(5, 8): "000000000000"}
    if with_problems:
        rows += [
            [4, "", "01/01/1991", "Nam", "Tin học", "0905000001", "", "", school_code],
            [5, "Phan Văn Sai", "31/02/1980", "Nam", "Lý", "12345", "", "", school_code],
            [6, "Lê Thị Lan", "01/01/1990", "Nữ", "Tiếng Anh", "+84 905 345 678", "", "", school_code],
        ]
    rows += [[None, "Tổng cộng: 6 người"]]
    rows += signature_block()
    return write_xlsx(path, rows, number_formats=formats)


def people_csv(path, school_code, *, encoding="utf-8-sig", delimiter=";"):
    lines = [
        delimiter.join(["Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "SĐT", "Mã định danh", "Mã trường"]),
        delimiter.join(["Võ Thị Mai", "02/02/1988", "Nữ", "Giáo viên", "0905.777.888", "048188000111", school_code]),
        delimiter.join(["Đặng Văn Tùng", "1975-12-30", "Nam", "Hiệu trưởng", "905999000", "048175000222", school_code]),
    ]
    text = "\r\n".join(lines) + "\r\n"
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps vowels with their hat or horn whole and writes the tone as a combining mark."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


def roster_by_school(path, schools=("BS-S1", "BS-S2", "TN-S1"), *, junk=True, missing_name_on=None,
                     school_in_title=False):
    """One sheet per school as district offices collect them, the school in a column of every row; or,
    with school_in_title, no school column: the title block names the school ("… – TRƯỜNG BS 1"),
    except on the last sheet, named after its school ("Trường TN 1"). Optionally a notes sheet with no
    header and one row without a name."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for number, code in enumerate(schools):
        school = "Trường " + code.replace("-S", " ")
        last = number == len(schools) - 1
        ws = wb.create_sheet(school if school_in_title else f"Trường {code}")
        title = "DANH SÁCH GIÁO VIÊN THAM GIA TẬP HUẤN"
        ws.append([f"{title} – {school.upper()}" if school_in_title and not last else title])
        ws.append([])
        ws.append(PEOPLE_HEADER if not school_in_title else PEOPLE_HEADER[:-1])
        for k in range(3):
            name = "" if (code, k) == (missing_name_on, 1) else f"Giáo viên {code} số {k + 1}"
            row = [k + 1, name, f"0{k + 1}/0{number + 1}/198{k}", "Nữ" if k % 2 else "Nam", "Toán",
                   f"09051{number}{k}000", "", f"04818{number}{k}000111", code]
            ws.append(row[:-1] if school_in_title else row)
    if junk:
        ws = wb.create_sheet("Ghi chú")
        ws.append(["Các trường gửi danh sách trước ngày 10/3"])
        ws.append(["Liên hệ: Phòng GD&ĐT"])
    wb.save(path)
    return path
