"""Find the header of a sheet and map its columns to fields.

Offices put a title block above the header, write column names in several spellings and often
use a two-row header ("Người phụ trách" merged over "Họ và tên | Chức vụ | Số điện thoại"). The
detector tries every row near the top as a one- or two-row header, maps each label to a field and
keeps the reading that recognises the most fields.
"""

import re
from dataclasses import dataclass, field

from . import normalize

SCAN_ROWS = 40

# Field patterns, tried in order on the folded label; the first match wins.
_PHONE = r"\b(so dien thoai|dien thoai|sdt|dt|dtdd|di dong|so dt|phone)\b"
_ROLE = r"\b(chuc vu|chuc danh)\b"
_EMAIL = r"\b(e ?mail|thu dien tu|hop thu)\b"
_PERSON_NAME = r"\b(ho va ten|ho ten|ho ten dem)\b"
_STT = r"^(stt|tt|so tt|so thu tu)$"

# A contact group names whose name/role/phone follows: "Người phụ trách", "Cán bộ kỹ thuật".
_TECH_GROUP = re.compile(r"\b(ky thuat|ktv|can bo kt|cbkt|cntt)\b")
_HEAD_GROUP = re.compile(r"\b(nguoi phu trach|phu trach|lanh dao|thu truong|nguoi dung dau|dau moi|nguoi lien he)\b")

BRIDGE_PATTERNS = [
    ("stt", _STT),
    ("code", r"^ma\b|\bma (diem cau|don vi|truong|dc|so)\b"),
    ("parent", r"\b(don vi cap tren|cap tren|truc thuoc|thuoc|huyen thi xa|huyen|dia ban|don vi quan ly)\b"),
    ("tier", r"^(cap|cap diem cau|loai|loai diem cau|cap don vi|phan cap|cap quan ly)$"),
    ("expected_participants", r"\b(so luong|so nguoi|sl|du kien|so dai bieu|so thanh phan|tong so nguoi)\b"),
    ("internet_line", r"\b(duong truyen|internet|mang|bang thong|wifi)\b"),
    ("email", _EMAIL),
    ("address", r"\b(dia chi|dia diem)\b"),
    ("notes", r"\b(ghi chu)\b"),
    ("head_phone", _PHONE),
    ("head_role", _ROLE),
    ("head_name", _PERSON_NAME),
    ("name", r"\b(ten|diem cau|don vi|truong|co so)\b"),
]

PEOPLE_PATTERNS = [
    ("stt", _STT),
    ("teacher_id", r"\b(ma dinh danh|ma dd|ma giao vien|ma gv|ma can bo|ma cb|cccd|cmnd|can cuoc|so dinh danh|"
                   r"ma so|ma ca nhan|dinh danh)\b"),
    ("bridge", r"\b(ma truong|ma diem cau|ma don vi|ten truong|truong|diem cau|don vi cong tac|don vi|noi cong tac|"
               r"co quan)\b"),
    ("birth_date", r"\b(ngay sinh|ngay thang nam sinh|nam sinh|sinh ngay)\b"),
    ("gender", r"\b(gioi tinh|gioi|nam nu)\b"),
    ("subject", r"\b(mon day|mon|chuc vu|chuc danh|vi tri|nhiem vu|cong viec|bo mon)\b"),
    ("phone", _PHONE),
    ("email", _EMAIL),
    ("full_name", r"\b(ho va ten|ho ten|ten giao vien|ten can bo|ten)\b"),
]

KINDS = {
    "bridges": {"patterns": [(f, re.compile(p)) for f, p in BRIDGE_PATTERNS], "required": "name"},
    "people": {"patterns": [(f, re.compile(p)) for f, p in PEOPLE_PATTERNS], "required": "full_name"},
}


@dataclass
class Layout:
    header_row: int  # 1-based sheet row of the (first) header row
    header_height: int  # 1 or 2
    columns: dict[int, str]  # 0-based column -> field
    labels: dict[int, str]  # 0-based column -> the label as written
    ignored: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        """0-based index of the first row below the header."""
        return self.header_row - 1 + self.header_height

    def column_of(self, name: str) -> int | None:
        for col, mapped in self.columns.items():
            if mapped == name:
                return col
        return None


def _contact_field(group_key: str, part_key: str) -> str | None:
    group = "tech" if _TECH_GROUP.search(group_key) else "head" if _HEAD_GROUP.search(group_key) else None
    if group is None:
        return None
    if re.search(_PHONE, part_key):
        return f"{group}_phone"
    if re.search(_EMAIL, part_key):
        return "email"
    if re.search(_ROLE, part_key):
        return "head_role" if group == "head" else None
    return f"{group}_name"


def map_label(top: str, bottom: str, kind: str) -> str | None:
    """The field a column holds, from its header text (upper and lower row of a two-row header)."""
    patterns = KINDS[kind]["patterns"]
    top_key, bottom_key = normalize.key(top), normalize.key(bottom)
    if kind == "bridges":
        # "Người phụ trách" over "Số điện thoại"; or one label "SĐT cán bộ kỹ thuật".
        if top_key and bottom_key:
            found = _contact_field(top_key, bottom_key)
            if found:
                return found
        own = bottom_key or top_key
        if not re.search(r"\b(dia chi|ten don vi|ten diem cau|ten truong)\b", own):
            found = _contact_field(own, own)
            if found:
                return found
    for label in (bottom_key, top_key):
        if not label:
            continue
        for name, pattern in patterns:
            if pattern.search(label):
                return name
    return None


def _header_labels(top_row: list, bottom_row: list | None) -> list[tuple[str, str]] | None:
    """(upper, lower) label per column. A merged group title sits in its first column only; carry it
    right over the empty upper cells whose lower cell has a label. None when the two rows do not
    look like a two-row header (no group spans columns, or the lower row holds numbers or dates)."""
    width = max(len(top_row), len(bottom_row or []))
    labels = []
    group = ""
    carried = False
    for col in range(width):
        top = normalize.text(top_row[col]) if col < len(top_row) else ""
        raw_bottom = bottom_row[col] if bottom_row is not None and col < len(bottom_row) else None
        if raw_bottom is not None and not isinstance(raw_bottom, str):
            return None
        bottom = normalize.text(raw_bottom)
        if top:
            group = top if bottom else ""
        elif bottom and group:
            top = group
            carried = True
        labels.append((top, bottom))
    if bottom_row is not None and not carried:
        return None
    return labels


def _reading(top_row, bottom_row, kind):
    labels = _header_labels(top_row, bottom_row)
    if labels is None:
        return {}, {}, []
    columns, shown, ignored = {}, {}, []
    for col, (top, bottom) in enumerate(labels):
        if not top and not bottom:
            continue
        written = " / ".join(part for part in (top, bottom) if part)
        name = map_label(top, bottom, kind)
        if name is None or name in columns.values():
            ignored.append(written)
            continue
        columns[col] = name
        shown[col] = written
    return columns, shown, ignored


def detect(rows: list[list], kind: str) -> Layout | None:
    required = KINDS[kind]["required"]
    best, best_score = None, 0
    for index in range(min(SCAN_ROWS, len(rows))):
        row = rows[index]
        if sum(1 for value in row if normalize.text(value)) < 2:
            continue
        for height in (1, 2):
            if height == 2 and index + 1 >= len(rows):
                continue
            bottom = rows[index + 1] if height == 2 else None
            columns, shown, ignored = _reading(row, bottom, kind)
            if required not in columns.values():
                continue
            recognised = len(set(columns.values()) - {"stt"})
            if recognised < 2:
                continue
            # A two-row reading must recognise more than a one-row one: a title row above the
            # header or the first data row below it adds nothing.
            score = 2 * recognised - (height - 1)
            if score > best_score:
                best = Layout(index + 1, height, columns, shown, ignored)
                best_score = score
    return best
