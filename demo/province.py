"""A Quảng Ngãi-like province as it was before the 2025 reorganisation: districts, communes, schools.

Place names are the real pre-2025 districts and communes; schools, contacts and people are invented.
Everything is plain data so the seeding code stays short and the demo can be read as a table.
"""

from dataclasses import dataclass, field

PROVINCE = "Quảng Ngãi"
HOST_CODE = "QNG"
HOST_NAME = "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Quảng Ngãi (IOC)"
HOST_ADDRESS = "Đường Hùng Vương, phường Trần Phú, thành phố Quảng Ngãi, tỉnh Quảng Ngãi"

# Tier labels are data: after 2025 a province would relabel "Huyện" without touching code.
TIERS = (
    ("host", "Điểm cầu chính", "host", 0),
    ("district", "Huyện", "intermediate", 1),
    ("school", "Trường", "school", 2),
)

# Unit kinds, used in addresses ("xã Bình Thạnh") and to pick a street or a village.
XA, PHUONG, THI_TRAN = "xã", "phường", "thị trấn"


@dataclass(frozen=True)
class District:
    code: str            # suffix of the bridge code: QNG-<code>
    kind: str            # "huyện", "thành phố", "thị xã"
    name: str
    schools: int         # how many school bridges at full scale
    mountain: bool       # highland district: smaller schools, semi-boarding schools, Hrê/Cor names
    seat: str            # where the district hall is
    communes: tuple[tuple[str, str], ...]
    # Upper-secondary and boarding schools named after people or the district, not after a commune.
    specials: tuple[str, ...] = field(default=())

    @property
    def full_name(self) -> str:
        return f"{self.kind.capitalize()} {self.name}"


def _units(kind: str, names: str) -> tuple[tuple[str, str], ...]:
    return tuple((kind, name.strip()) for name in names.split(",") if name.strip())


DISTRICTS: tuple[District, ...] = (
    District(
        "TPQ", "thành phố", "Quảng Ngãi", 90, False, "phường Trần Phú",
        _units(PHUONG, "Lê Hồng Phong, Trần Phú, Quảng Phú, Nghĩa Chánh, Trần Hưng Đạo, Nghĩa Lộ, Chánh Lộ, "
                       "Nguyễn Nghiêm, Trương Quang Trọng")
        + _units(XA, "Tịnh Ấn Tây, Tịnh Ấn Đông, Tịnh An, Tịnh Long, Tịnh Châu, Tịnh Thiện, Tịnh Khê, Tịnh Hòa, "
                     "Tịnh Kỳ, Nghĩa Dõng, Nghĩa Dũng, Nghĩa An, Nghĩa Hà, Nghĩa Phú"),
        ("Trường THPT chuyên Lê Khiết", "Trường THPT Trần Quốc Tuấn", "Trường THPT Lê Trung Đình",
         "Trường THPT Sơn Mỹ", "Trường THPT Huỳnh Thúc Kháng"),
    ),
    District(
        "DPH", "thị xã", "Đức Phổ", 55, False, "phường Nguyễn Nghiêm",
        _units(PHUONG, "Nguyễn Nghiêm, Phổ Hòa, Phổ Minh, Phổ Ninh, Phổ Quang, Phổ Thạnh, Phổ Văn, Phổ Vinh")
        + _units(XA, "Phổ An, Phổ Châu, Phổ Cường, Phổ Khánh, Phổ Nhơn, Phổ Phong, Phổ Thuận"),
        ("Trường THPT số 1 Đức Phổ", "Trường THPT số 2 Đức Phổ", "Trường THPT Lương Thế Vinh"),
    ),
    District(
        "BSO", "huyện", "Bình Sơn", 80, False, "thị trấn Châu Ổ",
        _units(THI_TRAN, "Châu Ổ")
        + _units(XA, "Bình An, Bình Chánh, Bình Châu, Bình Chương, Bình Dương, Bình Đông, Bình Hải, Bình Hiệp, "
                     "Bình Hòa, Bình Khương, Bình Long, Bình Minh, Bình Mỹ, Bình Nguyên, Bình Phước, "
                     "Bình Tân Phú, Bình Thanh, Bình Thạnh, Bình Thuận, Bình Trị, Bình Trung"),
        ("Trường THPT Bình Sơn", "Trường THPT Vạn Tường", "Trường THPT Trần Kỳ Phong", "Trường THPT Lê Quý Đôn"),
    ),
    District(
        "STI", "huyện", "Sơn Tịnh", 40, False, "xã Tịnh Hà",
        _units(XA, "Tịnh Bắc, Tịnh Bình, Tịnh Đông, Tịnh Giang, Tịnh Hà, Tịnh Hiệp, Tịnh Minh, Tịnh Phong, "
                   "Tịnh Sơn, Tịnh Thọ, Tịnh Trà"),
        ("Trường THPT Sơn Tịnh", "Trường THPT Ba Gia"),
    ),
    District(
        "TNG", "huyện", "Tư Nghĩa", 55, False, "thị trấn La Hà",
        _units(THI_TRAN, "La Hà, Sông Vệ")
        + _units(XA, "Nghĩa Điền, Nghĩa Hiệp, Nghĩa Hòa, Nghĩa Kỳ, Nghĩa Lâm, Nghĩa Mỹ, Nghĩa Phương, "
                     "Nghĩa Sơn, Nghĩa Thắng, Nghĩa Thọ, Nghĩa Thuận, Nghĩa Trung"),
        ("Trường THPT số 1 Tư Nghĩa", "Trường THPT số 2 Tư Nghĩa", "Trường THPT Thu Xà"),
    ),
    District(
        "NHA", "huyện", "Nghĩa Hành", 40, False, "thị trấn Chợ Chùa",
        _units(THI_TRAN, "Chợ Chùa")
        + _units(XA, "Hành Dũng, Hành Đức, Hành Minh, Hành Nhân, Hành Phước, Hành Thịnh, Hành Thiện, "
                     "Hành Thuận, Hành Tín Đông, Hành Tín Tây, Hành Trung"),
        ("Trường THPT số 1 Nghĩa Hành", "Trường THPT số 2 Nghĩa Hành"),
    ),
    District(
        "MDU", "huyện", "Mộ Đức", 50, False, "thị trấn Mộ Đức",
        _units(THI_TRAN, "Mộ Đức")
        + _units(XA, "Đức Chánh, Đức Hiệp, Đức Hòa, Đức Lân, Đức Lợi, Đức Minh, Đức Nhuận, Đức Phong, "
                     "Đức Phú, Đức Tân, Đức Thạnh, Đức Thắng"),
        ("Trường THPT số 1 Mộ Đức", "Trường THPT số 2 Mộ Đức", "Trường THPT Trần Quang Diệu"),
    ),
    District(
        "BTO", "huyện", "Ba Tơ", 50, True, "thị trấn Ba Tơ",
        _units(THI_TRAN, "Ba Tơ")
        + _units(XA, "Ba Bích, Ba Cung, Ba Điền, Ba Dinh, Ba Động, Ba Giang, Ba Khâm, Ba Lế, Ba Liên, Ba Nam, "
                     "Ba Ngạc, Ba Thành, Ba Tiêu, Ba Tô, Ba Trang, Ba Vì, Ba Vinh, Ba Xa"),
        ("Trường THPT Ba Tơ", "Trường THPT Phạm Kiệt", "Trường PTDT Nội trú Ba Tơ"),
    ),
    District(
        "MLO", "huyện", "Minh Long", 15, True, "xã Long Hiệp",
        _units(XA, "Long Hiệp, Long Mai, Long Môn, Long Sơn, Thanh An"),
        ("Trường THPT Minh Long", "Trường PTDT Nội trú Minh Long"),
    ),
    District(
        "SHA", "huyện", "Sơn Hà", 45, True, "thị trấn Di Lăng",
        _units(THI_TRAN, "Di Lăng")
        + _units(XA, "Sơn Ba, Sơn Bao, Sơn Cao, Sơn Giang, Sơn Hạ, Sơn Hải, Sơn Kỳ, Sơn Linh, Sơn Nham, "
                     "Sơn Thành, Sơn Thượng, Sơn Thủy, Sơn Trung"),
        ("Trường THPT Sơn Hà", "Trường THPT Đinh Tiên Hoàng", "Trường PTDT Nội trú Sơn Hà"),
    ),
    District(
        "STY", "huyện", "Sơn Tây", 25, True, "xã Sơn Dung",
        _units(XA, "Sơn Bua, Sơn Dung, Sơn Lập, Sơn Liên, Sơn Long, Sơn Màu, Sơn Mùa, Sơn Tân, Sơn Tinh"),
        ("Trường THPT Quang Trung", "Trường PTDT Nội trú Sơn Tây"),
    ),
    District(
        "TBO", "huyện", "Trà Bồng", 45, True, "thị trấn Trà Xuân",
        _units(THI_TRAN, "Trà Xuân")
        + _units(XA, "Hương Trà, Sơn Trà, Trà Bình, Trà Bùi, Trà Giang, Trà Hiệp, Trà Lâm, Trà Phong, Trà Phú, "
                     "Trà Sơn, Trà Tân, Trà Tây, Trà Thanh, Trà Thủy, Trà Xinh"),
        ("Trường THPT Trà Bồng", "Trường THPT Tây Trà", "Trường PTDT Nội trú Trà Bồng"),
    ),
    District(
        "LSO", "huyện", "Lý Sơn", 10, False, "xã An Vĩnh",
        _units(XA, "An Vĩnh, An Hải, An Bình"),
        ("Trường THPT Lý Sơn",),
    ),
)

# School levels: (key, name prefix). The key drives roster size, subjects and the e-mail prefix.
MN, TH, THCS, TH_THCS, THPT, PTDTNT = "mn", "th", "thcs", "th-thcs", "thpt", "ptdtnt"
LEVEL_PREFIX = {MN: "Trường Mầm non", TH: "Trường Tiểu học", THCS: "Trường THCS", TH_THCS: "Trường TH&THCS"}

STREETS = (
    "Hùng Vương", "Quang Trung", "Lê Lợi", "Phan Đình Phùng", "Nguyễn Trãi", "Trần Hưng Đạo", "Phạm Văn Đồng",
    "Lý Thường Kiệt", "Nguyễn Công Phương", "Bà Triệu", "Lê Trung Đình", "Huỳnh Thúc Kháng", "Chu Văn An",
    "Nguyễn Du", "Tôn Đức Thắng",
)
VILLAGES = (
    "An Phú", "Phú Long", "Tân Hòa", "Trung An", "Đông Thành", "Tây Lộc", "Vĩnh An", "Long Bình", "Phước Thịnh",
    "Mỹ Thạnh", "Xuân Yên", "Hòa Vinh", "Thạnh Đức", "Phú Nhuận", "Hiệp An", "Gia Hòa",
)
MOUNTAIN_VILLAGES = (
    "Làng Mâm", "Nước Lăng", "Gò Da", "Làng Rêu", "Nước Nia", "Đồng Răm", "Mang Krá", "Trà Ong", "Làng Trui",
    "Nước Vương", "Tà Bần", "Gò Lã",
)
LOWLAND_LINES = (
    "VNPT – cáp quang FiberVNN 100 Mbps", "Viettel – cáp quang 150 Mbps", "VNPT – cáp quang FiberVNN 80 Mbps",
    "FPT – cáp quang 100 Mbps", "Viettel – cáp quang 100 Mbps",
)
MOUNTAIN_LINES = (
    "VNPT – cáp quang 50 Mbps", "Viettel – cáp quang 50 Mbps, 4G dự phòng", "VNPT – cáp quang 30 Mbps",
    "Viettel – cáp quang 40 Mbps",
)
ISLAND_LINES = ("VNPT – cáp quang biển 50 Mbps, 4G Viettel dự phòng", "Viettel – cáp quang biển 40 Mbps")
EMAIL_DOMAIN = "quangngai.edu.test"  # reserved TLD: demo invitations can never reach a real mailbox
