"""Province-sized spreadsheets shaped like the ones offices send, for the import benchmark.

Bridge list: title block, a two-row merged header, a column-number row, one section per district
("II. HUYỆN BÌNH SƠN") opened by the district hall, a "Cộng" row per district, "TỔNG CỘNG" and a
signature block. Roster: title block, one-row header, identifiers stored as numbers formatted
000000000000, phones as numbers (leading 0 lost), real dates. Deterministic for a given size.
"""

import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl

DISTRICTS = (
    ("TP", "Thành phố", "Quảng Ngãi"), ("BS", "Huyện", "Bình Sơn"), ("ST", "Huyện", "Sơn Tịnh"),
    ("TN", "Huyện", "Tư Nghĩa"), ("NH", "Huyện", "Nghĩa Hành"), ("MD", "Huyện", "Mộ Đức"),
    ("DP", "Thị xã", "Đức Phổ"), ("BT", "Huyện", "Ba Tơ"), ("MLO", "Huyện", "Minh Long"),
    ("SH", "Huyện", "Sơn Hà"), ("STY", "Huyện", "Sơn Tây"), ("TB", "Huyện", "Trà Bồng"), ("LS", "Huyện", "Lý Sơn"),
)
LEVELS = ("Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường TH&THCS", "Trường THPT")
COMMUNES = ("Bình Thạnh", "Bình Chánh", "Bình Dương", "Tịnh Hà", "Tịnh Ấn Tây", "Nghĩa Kỳ", "Nghĩa Lâm",
            "Hành Thuận", "Đức Nhuận", "Phổ Vinh", "Ba Động", "Long Hiệp", "Sơn Kỳ", "Trà Phú", "An Hải",
            "Nghĩa Dũng", "Tịnh Khê", "Bình Hiệp", "Đức Lân", "Sơn Thành")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Đinh")
MIDDLE = ("Thị", "Văn", "Ngọc", "Minh", "Thanh", "Hữu", "Thu", "Quốc", "Kim", "Đức")
GIVEN = ("An", "Bình", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Nga",
         "Oanh", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến")
SUBJECTS = ("Toán", "Ngữ văn", "Tiếng Anh", "Vật lý", "Hóa học", "Sinh học", "Lịch sử", "Địa lý", "Tin học",
            "Giáo dục thể chất", "Âm nhạc", "Mỹ thuật", "Giáo viên chủ nhiệm")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_TOP = ["STT", "Mã điểm cầu", "Tên điểm cầu", "Địa chỉ", "Người phụ trách", None, None,
              "Cán bộ kỹ thuật", None, "Email", "Số người dự kiến", "Đường truyền", "Ghi chú"]
HEADER_BOTTOM = [None, None, None, None, "Họ và tên", "Chức vụ", "Số điện thoại", "Họ và tên", "SĐT",
                 None, None, None, None]
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _phone(rng: random.Random):
    digits = f"9{rng.choice('0134678')}{rng.randrange(10**7):07d}"
    style = rng.random()
    if style < 0.4:
        return int(digits)  # a number cell: the leading 0 is gone
    if style < 0.7:
        return f"0{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    if style < 0.85:
        return f"+84 {digits[:3]} {digits[3:6]} {digits[6:]}"
    return f"0{digits}"


def school_codes(schools: int) -> list[tuple[str, str]]:
    """(school code, district code) for every school, spread evenly over the districts."""
    codes = []
    for index in range(schools):
        district = DISTRICTS[index % len(DISTRICTS)][0]
        codes.append((f"QNG-{district}-{index // len(DISTRICTS) + 1:03d}", district))
    return sorted(codes)


def _title(ws, title: str, width: int) -> None:
    ws.append(["UBND TỈNH QUẢNG NGÃI"] + [None] * 6 + ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO"] + [None] * 6 + ["Độc lập - Tự do - Hạnh phúc"])
    ws.append([title])
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws.append(["(Kèm theo Công văn số 123/SGDĐT-VP ngày 01/03/2025 của Sở GDĐT)"])
    ws.append([])


def _signature(ws) -> None:
    ws.append([])
    ws.append([None] * 9 + ["Quảng Ngãi, ngày 05 tháng 3 năm 2025"])
    ws.append([None, "NGƯỜI LẬP BIỂU"] + [None] * 7 + ["KT. GIÁM ĐỐC"])
    ws.append([None, "(Ký, ghi rõ họ tên)"] + [None] * 7 + ["PHÓ GIÁM ĐỐC"])
    ws.append([])
    ws.append([None, "Trần Thị Lập"] + [None] * 7 + ["Nguyễn Văn Ký"])


def write_bridges(path: Path, schools: int, seed: int = 2022) -> int:
    """Host + 13 district halls + `schools` schools. Returns the number of bridges."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Điểm cầu"
    width = len(HEADER_TOP)
    _title(ws, "DANH SÁCH ĐIỂM CẦU LỄ PHÁT ĐỘNG VÀ TẬP HUẤN", width)
    ws.append(HEADER_TOP)
    ws.append(HEADER_BOTTOM)
    for col in (1, 2, 3, 4, 10, 11, 12, 13):
        ws.merge_cells(start_row=6, start_column=col, end_row=7, end_column=col)
    ws.merge_cells("E6:G6")
    ws.merge_cells("H6:I6")
    ws.append([f"({i})" for i in range(1, width + 1)])
    ws.append(["I. ĐIỂM CẦU CHÍNH"])
    ws.append([1, "QNG", "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Quảng Ngãi (IOC)",
               "Đường Hùng Vương, TP. Quảng Ngãi", _name(rng), "Giám đốc", _phone(rng), _name(rng), _phone(rng),
               "ioc@quangngai.gov.vn", 60, "VNPT 1 Gbps", None])
    count = 1
    by_district: dict[str, list[str]] = {}
    for code, district in school_codes(schools):
        by_district.setdefault(district, []).append(code)
    for number, (dcode, kind, dname) in enumerate(DISTRICTS):
        ws.append([f"{ROMAN[number + 1]}. {kind.upper()} {dname.upper()}"])
        ws.append([1, f"QNG-{dcode}", f"Phòng GD&ĐT {kind.lower()} {dname}", f"Trung tâm {kind.lower()} {dname}",
                   _name(rng), "Trưởng phòng", _phone(rng), _name(rng), _phone(rng),
                   f"pgd.{dcode.lower()}@quangngai.edu.vn", 15, "VNPT 100 Mbps", None])
        count += 1
        total = 15
        for stt, code in enumerate(by_district.get(dcode, []), start=2):
            commune = rng.choice(COMMUNES)
            expected = rng.randint(12, 90)
            total += expected
            ws.append([stt, code, f"{rng.choice(LEVELS)} {commune} {stt}", f"Xã {commune}, {kind.lower()} {dname}",
                       _name(rng), "Hiệu trưởng", _phone(rng), _name(rng) if rng.random() < 0.6 else None,
                       _phone(rng) if rng.random() < 0.6 else None, f"{code.lower()}@quangngai.edu.vn",
                       expected, rng.choice(("VNPT", "Viettel", "FPT")) + " 100 Mbps", None])
            count += 1
        ws.append([None, "Cộng"] + [None] * 8 + [total])
    ws.append([None, "TỔNG CỘNG"])
    _signature(ws)
    wb.save(path)
    return count


PEOPLE_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Môn dạy / Chức vụ", "Số điện thoại", "Email",
                 "Mã định danh", "Mã trường"]


def write_people(path: Path, people: int, schools: int, seed: int = 2022) -> int:
    """`people` teachers spread over the schools of write_bridges(schools). Returns the row count."""
    rng = random.Random(seed + 1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Giáo viên")
    ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NGÃI"])
    ws.append(["DANH SÁCH GIÁO VIÊN THAM GIA TẬP HUẤN KỸ NĂNG SỐ"])
    ws.append([])
    ws.append(PEOPLE_HEADER)
    codes = [code for code, _district in school_codes(schools)]
    start = date(1966, 1, 1)
    for index in range(people):
        school = codes[index * len(codes) // people]
        cell_id = openpyxl.cell.WriteOnlyCell(ws, value=48_000_000_000 + index * 7919 % 10**9 + index)
        cell_id.number_format = "000000000000"
        born = start + timedelta(days=rng.randrange(12000))
        birth = born if rng.random() < 0.7 else born.strftime("%d/%m/%Y")
        ws.append([index + 1, _name(rng), birth, rng.choice(("Nam", "Nữ")), rng.choice(SUBJECTS), _phone(rng),
                   None, cell_id, school])
    ws.append([None, f"Tổng cộng: {people} người"])
    wb.save(path)
    return people
