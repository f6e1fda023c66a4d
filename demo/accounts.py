"""The demo logins. Fixed passwords are fine for a local demo; seeding refuses to run in production."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from bridges.models import Bridge, Role

from .plan import district_code
from .province import DISTRICTS

DEMO_PASSWORD = "QuangNgai@2022"  # noqa: S105 - printed by demo_banner; never seeded in production
BINH_SON = next(d for d in DISTRICTS if d.code == "BSO")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    kind: str
    scope_code: str | None  # None: the whole province
    sees_vi: str
    sees_en: str
    admin: bool = False
    password: str = DEMO_PASSWORD


ACCOUNTS = (
    DemoAccount(
        "tochuc", "Ban tổ chức – Sở GD&ĐT Quảng Ngãi", Role.Kind.ORGANIZER, None,
        "Ban tổ chức: toàn tỉnh, mọi điểm cầu và danh sách giáo viên, nhập dữ liệu, trang quản trị /admin/.",
        "Organizer: the whole province, every bridge and roster, imports, the /admin/ site.",
        admin=True,
    ),
    DemoAccount(
        "binhson", "Phòng GD&ĐT huyện Bình Sơn", Role.Kind.DISTRICT_OFFICER,
        district_code(BINH_SON),
        "Cán bộ Phòng GD&ĐT Bình Sơn: chỉ điểm cầu của huyện và các trường trong huyện, được nhắc và sửa.",
        "District officer of Bình Sơn: only the district's own bridge and its schools, may nudge/correct them.",
    ),
    DemoAccount(
        "lanhdao", "Lãnh đạo tỉnh Quảng Ngãi", Role.Kind.OFFICIAL, None,
        "Lãnh đạo: xem toàn tỉnh và xuất báo cáo, chỉ đọc (không sửa được gì).",
        "Official: the whole province and its reports, read-only.",
    ),
)


def ensure_accounts() -> int:
    """Create missing demo accounts and roles; an account that exists is left exactly as it is."""
    user_model = get_user_model()
    created = 0
    for account in ACCOUNTS:
        user = user_model.objects.filter(username=account.username).first()
        if user is None:
            user = user_model(username=account.username, first_name=account.display_name,
                              is_staff=account.admin, is_superuser=account.admin)
            user.set_password(account.password)
            user.save()
            created += 1
        if not Role.objects.filter(user=user).exists():
            scope = Bridge.objects.get(code=account.scope_code) if account.scope_code else None
            Role.objects.create(user=user, kind=account.kind, scope=scope)
    return created
