"""The demo province's links on the banner: login, rosters, the Bình Sơn district, the API, the admin
site and one school's secret console link."""

from django.urls import reverse

from bridges.models import Bridge

from .accounts import BINH_SON
from .plan import district_code
from .province import HOST_CODE

DEMO_CONSOLE_SCHOOL = f"{HOST_CODE}-BSO-001"


def demo_console_school() -> Bridge | None:
    """The school whose console link the banner shows (the first school of Bình Sơn, else any)."""
    school = Bridge.objects.filter(code=DEMO_CONSOLE_SCHOOL).first()
    return school or Bridge.objects.filter(tier__role="school").order_by("path").first()


def banner_links(base_url: str) -> list[tuple[str, str, str]]:
    """(url, Vietnamese label, English label) for the demo banner."""
    links = [
        (f"{base_url}/", "Trang đăng nhập", "Login page"),
        (f"{base_url}/bridges/", "Danh sách điểm cầu và giáo viên", "Bridges and rosters"),
        (f"{base_url}/bridges/{district_code(BINH_SON)}/", "Điểm cầu huyện Bình Sơn", "The Bình Sơn district bridge"),
        (f"{base_url}/api/docs", "Tài liệu API (OpenAPI)", "API documentation (OpenAPI)"),
        (f"{base_url}/admin/", "Trang quản trị (tài khoản tochuc)", "Admin site (account tochuc)"),
    ]
    school = demo_console_school()
    if school is not None:
        links.append((
            base_url + reverse("console", args=[school.console_token]),
            f"Bảng điều khiển của {school.name} (không cần mật khẩu: link bí mật là chìa khóa)",
            f"Console of {school.name} (no password: the secret link is the key)",
        ))
    return links
