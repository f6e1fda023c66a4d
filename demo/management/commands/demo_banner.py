from django.core.management.base import BaseCommand

from bridges.models import Bridge, Person
from demo.accounts import ACCOUNTS
from demo.steps import BANNER_STEPS

RULE = "=" * 78


def vi_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Print where to click and how to log in to the demo (Vietnamese, then English)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        base = f"http://{host}:{port}"
        links = [link for step in BANNER_STEPS for link in step.banner_links(base)]
        bridges, people = Bridge.objects.count(), Person.objects.count()
        accounts = ACCOUNTS
        out = [RULE, " diemcau – bản demo tỉnh Quảng Ngãi", RULE,
               f" Dữ liệu: {bridges} điểm cầu, {vi_number(people)} người trong danh sách.",
               " Mở trình duyệt:"]
        out += [line for url, vi, _en in links for line in (f"   {vi}:", f"      {url}")]
        out += [" Tài khoản demo (tên đăng nhập / mật khẩu):"]
        out += [f"   {a.username:<8} / {a.password}   {a.sees_vi}" for a in accounts]
        out += [" Trường học không có tài khoản: điều phối viên mở link bảng điều khiển bí mật ở trên.",
                " Dừng máy chủ: Ctrl+C.", "-" * 78,
                " diemcau – Quảng Ngãi demo",
                f" Data: {bridges} bridges, {people:,} people on rosters.", " Open in a browser:"]
        out += [line for url, _vi, en in links for line in (f"   {en}:", f"      {url}")]
        out += [" Demo accounts (username / password):"]
        out += [f"   {a.username:<8} / {a.password}   {a.sees_en}" for a in accounts]
        out += [" Schools have no account: their coordinator opens the secret console link above.",
                " Stop the server: Ctrl+C.", RULE]
        if not bridges:
            out.insert(3, " !! Chưa có dữ liệu / no data yet: run `python manage.py seed_demo` first.")
        self.stdout.write("\n".join(out))
