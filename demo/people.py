"""Invented but realistic Vietnamese teachers: names, birth dates, subjects, phones, identifiers."""

import hashlib
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from .province import EMAIL_DOMAIN, MN, PTDTNT, TH, TH_THCS, THCS, THPT

# (family name, weight): roughly the frequencies of central Việt Nam.
FAMILY = (
    ("Nguyễn", 28), ("Trần", 10), ("Lê", 10), ("Phạm", 7), ("Võ", 7), ("Huỳnh", 6), ("Phan", 4), ("Trương", 3),
    ("Đỗ", 3), ("Hồ", 3), ("Đặng", 3), ("Bùi", 2), ("Ngô", 2), ("Dương", 2), ("Đinh", 2), ("Đoàn", 2),
    ("Lương", 1), ("Lâm", 1), ("Châu", 1), ("Tạ", 1), ("Mai", 1), ("Cao", 1), ("Hà", 1), ("Thái", 1),
)
# Hrê and Cor families in the highlands mostly carry these names.
MOUNTAIN_FAMILY = (("Đinh", 20), ("Phạm", 12), ("Hồ", 8), ("Hà", 5), ("Nguyễn", 12), ("Trần", 5), ("Lê", 5),
                   ("Võ", 4), ("Huỳnh", 3), ("Bùi", 2))
MIDDLE = {
    "F": (("Thị", 45), ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Kim", 5), ("Mỹ", 4), ("Phương", 4), ("Thùy", 4),
          ("Bích", 3), ("Hồng", 3), ("Minh", 3), ("Diệu", 2), ("Khánh", 2), ("Lệ", 2)),
    "M": (("Văn", 40), ("Minh", 8), ("Đức", 6), ("Quang", 6), ("Hữu", 6), ("Tấn", 6), ("Thanh", 5), ("Ngọc", 4),
          ("Công", 4), ("Trọng", 3), ("Xuân", 3), ("Anh", 3)),
}
GIVEN = {
    "F": ("Hoa", "Lan", "Hương", "Trang", "Thảo", "Linh", "Ngọc", "Hạnh", "Hằng", "Nga", "Nhung", "Phượng", "Thủy",
          "Vân", "Yến", "Xuân", "Tuyết", "Hiền", "Mai", "Dung", "Hà", "Oanh", "Loan", "Liên", "Thu", "Quyên", "Diễm",
          "Ánh", "Nhi", "Uyên", "Trinh", "Lệ", "My", "Hồng", "Phương", "Thơ", "Sương", "Ly", "Nguyệt", "Huyền"),
    "M": ("Hùng", "Dũng", "Minh", "Tuấn", "Nam", "Sơn", "Hải", "Long", "Quân", "Cường", "Khánh", "Phong", "Trung",
          "Thắng", "Vinh", "Hiếu", "Tâm", "Phúc", "Bảo", "Huy", "Tài", "Đạt", "Lộc", "Nhân", "Thành", "Tín", "Toàn",
          "Hòa", "Quang", "Kiên", "Lâm", "Thịnh", "Hưng", "Bình", "Tú", "Trí"),
}
SUBJECTS = {
    MN: (("Giáo viên mầm non", 1),),
    TH: (("Giáo viên tiểu học", 14), ("Tiếng Anh", 2), ("Tin học", 1), ("Âm nhạc", 1), ("Mỹ thuật", 1),
         ("Giáo dục thể chất", 1)),
    THCS: (("Toán", 4), ("Ngữ văn", 4), ("Tiếng Anh", 3), ("Khoa học tự nhiên", 3), ("Lịch sử và Địa lí", 2),
           ("Giáo dục công dân", 1), ("Tin học", 1), ("Công nghệ", 1), ("Giáo dục thể chất", 1), ("Âm nhạc", 1),
           ("Mỹ thuật", 1)),
    THPT: (("Toán", 5), ("Ngữ văn", 5), ("Tiếng Anh", 4), ("Vật lí", 3), ("Hóa học", 3), ("Sinh học", 2),
           ("Lịch sử", 2), ("Địa lí", 2), ("Giáo dục kinh tế và pháp luật", 1), ("Tin học", 2), ("Công nghệ", 1),
           ("Giáo dục thể chất", 2), ("Giáo dục quốc phòng và an ninh", 1)),
}
SUBJECTS[TH_THCS] = SUBJECTS[TH] + SUBJECTS[THCS]
SUBJECTS[PTDTNT] = SUBJECTS[THCS]
FEMALE_SHARE = {MN: 0.97, TH: 0.8, THCS: 0.7, TH_THCS: 0.75, THPT: 0.6, PTDTNT: 0.65}
MOBILE_PREFIXES = ("090", "093", "091", "094", "096", "097", "098", "088", "089")

# Teacher identifiers: a small Feistel network maps a stable serial one-to-one onto 12 digits, so
# they are unique by construction, look random, and about one in ten starts with a zero.
_HALF = 10**6


@dataclass(frozen=True)
class Teacher:
    full_name: str
    gender: str
    birth_date: date
    subject: str
    phone: str
    email: str
    teacher_id: str


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pick(rng: random.Random, weighted) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


def phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def teacher_id(serial: int) -> str:
    left, right = divmod(serial, _HALF)
    for round_ in range(4):
        digest = hashlib.blake2b(f"{round_}:{right}".encode(), digest_size=8).digest()
        left, right = right, (left + int.from_bytes(digest, "big")) % _HALF
    return f"{left:06d}{right:06d}"


def _ascii(text: str) -> str:
    from core.text import fold

    return fold(text).replace(" ", "")


def make_teacher(rng: random.Random, *, level: str, mountain: bool, serial: int, subject: str = "",
                 born_between: tuple[int, int] = (1966, 2000)) -> Teacher:
    gender = "F" if rng.random() < FEMALE_SHARE[level] else "M"
    family = _pick(rng, MOUNTAIN_FAMILY if mountain else FAMILY)
    middle = _pick(rng, MIDDLE[gender])
    given = rng.choice(GIVEN[gender])
    full_name = nfc(f"{family} {middle} {given}")
    start = date(born_between[0], 1, 1)
    birth = start + timedelta(days=rng.randrange((date(born_between[1], 12, 31) - start).days))
    subject = subject or _pick(rng, SUBJECTS[level])
    email = ""
    if rng.random() < 0.4:
        email = f"{_ascii(given)}.{_ascii(family + middle)}{birth.year % 100:02d}@{EMAIL_DOMAIN}"
    return Teacher(full_name, gender, birth, nfc(subject), phone(rng), email, teacher_id(serial))
