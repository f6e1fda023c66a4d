import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, get_commands
from django.utils.timezone import localdate

from bridges.models import Bridge, Person, Role, Tier
from core.text import fold
from demo import events as demo_event
from demo import training as demo_training
from demo.accounts import ACCOUNTS, DEMO_PASSWORD
from demo.plan import province_plan
from demo.province import DISTRICTS
from events.models import Event

pytestmark = pytest.mark.django_db

DISTRICT_NAMES = {
    "Thành phố Quảng Ngãi", "Thị xã Đức Phổ", "Huyện Bình Sơn", "Huyện Sơn Tịnh", "Huyện Tư Nghĩa",
    "Huyện Nghĩa Hành", "Huyện Mộ Đức", "Huyện Ba Tơ", "Huyện Minh Long", "Huyện Sơn Hà", "Huyện Sơn Tây",
    "Huyện Trà Bồng", "Huyện Lý Sơn",
}


def seed(*args):
    call_command("seed_demo", *args, stdout=sys.stderr)


def snapshot():
    return {
        "tiers": sorted(Tier.objects.values_list("code", "label")),
        "bridges": sorted(Bridge.objects.values_list("pk", "code", "name", "path", "depth", "head_name", "address")),
        "people": sorted(Person.objects.values_list("pk", "teacher_id", "full_name", "bridge__code", "birth_date")),
        "users": sorted(get_user_model().objects.values_list("pk", "username", "password")),
        "roles": sorted(Role.objects.values_list("pk", "user__username", "kind", "scope__code")),
    }


@pytest.mark.services
def test_small_seed_builds_host_districts_schools_and_rosters():
    seed("--schools", "26", "--teachers-per-school", "4")
    host = Bridge.objects.get(code="QNG")
    assert host.parent is None and host.depth == 0 and host.tier.role == "host"
    assert host.name == "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh Quảng Ngãi (IOC)"
    districts = Bridge.objects.filter(parent=host)
    assert {d.name for d in districts} == DISTRICT_NAMES
    assert all(d.tier.role == "intermediate" and d.depth == 1 for d in districts)
    schools = Bridge.objects.filter(tier__role="school").select_related("parent")
    assert schools.count() == 26
    for school in schools:
        assert school.depth == 2 and school.parent.parent_id == host.pk
        assert school.path == f"{school.parent.path}{school.pk}/"
        assert re.fullmatch(r"QNG-[A-Z]{3}-\d{3}", school.code) and school.code.startswith(school.parent.code)
        assert re.fullmatch(r"09\d{8}|08[89]\d{7}", school.head_phone) and school.head_role == "Hiệu trưởng"
        assert school.tech_name and school.email and school.internet_line and school.address
        assert school.expected_participants == 4 == school.people.count()
    # Every district gets at least one school, the big lowland ones more.
    per_district = {d.code: d.children.count() for d in districts}
    assert min(per_district.values()) >= 1 and per_district["QNG-TPQ"] > per_district["QNG-LSO"]

    people = list(Person.objects.all())
    assert len(people) == 26 * 4
    for person in people:
        assert isinstance(person.teacher_id, str) and re.fullmatch(r"\d{12}", person.teacher_id)
        assert unicodedata.normalize("NFC", person.full_name) == person.full_name
        assert person.name_key == fold(person.full_name) and len(person.full_name.split()) >= 3
        assert person.gender in {"F", "M"} and person.birth_date and person.phone.startswith("0")


def test_demo_accounts_have_the_right_roles_and_log_in(client):
    seed("--schools", "13", "--teachers-per-school", "1")
    roles = {r.user.username: r for r in Role.objects.select_related("user", "scope")}
    assert roles["tochuc"].kind == Role.Kind.ORGANIZER and roles["tochuc"].scope is None
    assert roles["tochuc"].user.is_staff
    assert roles["binhson"].kind == Role.Kind.DISTRICT_OFFICER and roles["binhson"].scope.code == "QNG-BSO"
    assert roles["lanhdao"].kind == Role.Kind.OFFICIAL and roles["lanhdao"].scope is None
    assert not roles["lanhdao"].user.is_staff and not roles["binhson"].user.is_staff
    for account in ACCOUNTS:
        assert client.login(username=account.username, password=DEMO_PASSWORD)
        assert client.get("/bridges/").status_code == 200


@pytest.mark.services
def test_seeding_twice_changes_nothing():
    seed("--scale", "0.05")
    before = snapshot()
    assert len(before["bridges"]) == 1 + 13 + 30 and len(before["people"]) > 30 * 10
    seed("--scale", "0.05")
    assert snapshot() == before


def test_a_bigger_run_adds_only_what_is_missing_and_keeps_codes():
    seed("--schools", "13", "--teachers-per-school", "2")
    first = {b.code: (b.pk, b.name, b.head_name) for b in Bridge.objects.filter(tier__role="school")}
    seed("--schools", "26", "--teachers-per-school", "3")
    after = {b.code: (b.pk, b.name, b.head_name) for b in Bridge.objects.filter(tier__role="school")}
    assert len(after) == 26 and all(after[code] == value for code, value in first.items())
    # The first two teachers of an old school are the ones it had; the third is new.
    school = Bridge.objects.get(code="QNG-BSO-001")
    assert school.people.count() == 3 and Person.objects.count() == 26 * 3


def test_the_data_is_the_same_on_every_run():
    """Seeded generators, not the clock or the hash seed: these values never change between runs."""
    seed("--schools", "13", "--teachers-per-school", "3")
    school = Bridge.objects.get(code="QNG-BSO-001")
    assert school.name == "Trường Tiểu học thị trấn Châu Ổ"
    assert school.address.endswith("thị trấn Châu Ổ, huyện Bình Sơn, tỉnh Quảng Ngãi")
    plan = next(s for _d, schools in province_plan(13) for s in schools if s.code == "QNG-BSO-001")
    expected = plan.teachers(3)
    assert sorted(school.people.values_list("teacher_id", "full_name")) == sorted(
        (t.teacher_id, t.full_name) for t in expected)
    assert school.head_name == expected[0].full_name == "Trần Ngọc Hiền"
    assert expected[0].teacher_id == "878522755295"


def test_seed_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DIEMCAU_ENV=production"):
        seed("--schools", "13")
    assert not Bridge.objects.exists() and not get_user_model().objects.exists()


def test_bad_options_are_refused():
    with pytest.raises(CommandError):
        seed("--scale", "0.05", "--schools", "3")
    with pytest.raises(CommandError):
        seed("--scale", "2")
    with pytest.raises(CommandError):
        seed("--teachers-per-school", "1000")
    assert not Bridge.objects.exists()


def test_banner_shows_links_and_logins():
    seed("--schools", "13", "--teachers-per-school", "1")
    from io import StringIO

    out = StringIO()
    call_command("demo_banner", "--host", "127.0.0.1", "--port", "8011", stdout=out)
    text = out.getvalue()
    token = Bridge.objects.get(code="QNG-BSO-001").console_token
    for url in ("http://127.0.0.1:8011/", "http://127.0.0.1:8011/bridges/", "http://127.0.0.1:8011/api/docs",
                "http://127.0.0.1:8011/admin/", f"http://127.0.0.1:8011/c/{token}/"):
        assert url in text
    for account in ACCOUNTS:
        assert f"{account.username:<8} / {DEMO_PASSWORD}" in text
        assert account.sees_vi in text and account.sees_en in text
    assert text.index("Mở trình duyệt") < text.index("Open in a browser")
    assert "27 điểm cầu" in text and "27 bridges" in text


def test_seed_demo_adds_the_demo_event_then_last_months_training():
    seed("--schools", "13", "--teachers-per-school", "2")
    event = Event.objects.get(title=demo_event.TITLE)
    training = Event.objects.get(uid=demo_training.DEMO_UID)
    assert event.invitations.count() == Bridge.objects.count() == 27
    # The training is dated from the demo event, so the event must be seeded first.
    assert localdate(training.starts_at) == localdate(event.starts_at) - timedelta(days=30)
    assert training.sessions.get().roll_calls.count() == 3



def test_seed_demo_adds_the_trainings_follow_up_through_the_engine():
    from demo import followups as demo_followups
    from followups import services as followup
    from followups.models import FollowUpForm
    from schoolreports.models import ReportAnswer

    seed("--schools", "13", "--teachers-per-school", "2")
    form = FollowUpForm.objects.select_related("round__form").get(title=demo_followups.TITLE)
    assert form.event.uid == demo_training.DEMO_UID
    # Its round from the replication template, asked of the training's invitees; the answers are the engine's.
    assert (form.round.form.template_key, form.round.audience, form.round.audience_event_id) == \
        ("replication", "invitees", form.event_id)
    answers = ReportAnswer.objects.filter(round=form.round, status=ReportAnswer.Status.SUBMITTED)
    state = followup.status(form, None)
    assert 0 < answers.count() == len(state.submitted) < len(state.schools)  # most answered, a few missing
    assert all(a.submissions.count() == 1 for a in answers)
    assert state.total.students == sum(a.values["hs_duoc_tap_huan"] for a in answers) > 0
    seed("--schools", "13", "--teachers-per-school", "2")  # a second run changes nothing
    assert FollowUpForm.objects.filter(title=demo_followups.TITLE).count() == 1
    assert ReportAnswer.objects.filter(round=form.round).count() == answers.count()

DEMO_COMMANDS = {"seed_demo", "demo_banner", "simulate_day"}


def test_demo_commands_come_from_the_demo_app_outside_production():
    assert "demo" in django_settings.INSTALLED_APPS
    commands = get_commands()
    assert {name: commands.get(name) for name in DEMO_COMMANDS} == dict.fromkeys(DEMO_COMMANDS, "demo")


def test_production_does_not_install_the_demo():
    """A fresh process: settings decide INSTALLED_APPS once, at import."""
    env = {**os.environ, "DIEMCAU_ENV": "production", "SECRET_KEY": "p" * 50, "JITSI_APP_SECRET": "j" * 40,
           "JITSI_WEBHOOK_SECRET": "w" * 40, "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = ("import json, django; django.setup(); from django.conf import settings; "
            "from django.core.management import get_commands; "
            "print(json.dumps({'apps': settings.INSTALLED_APPS, 'commands': sorted(get_commands())}))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=django_settings.BASE_DIR, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert "training" in found["apps"] and "demo" not in found["apps"]
    assert not DEMO_COMMANDS & set(found["commands"]) and "import_bridges" in found["commands"]


def test_full_province(client):
    seed()
    assert Bridge.objects.count() == 614
    assert Bridge.objects.filter(tier__role="school").count() == 600
    for district in DISTRICTS:
        assert Bridge.objects.get(code=f"QNG-{district.code}").children.count() == district.schools
    teachers = Person.objects.count()
    assert 17_000 <= teachers <= 19_000
    assert Person.objects.values("teacher_id").distinct().count() == teachers
    assert Person.objects.filter(teacher_id__startswith="0").exists()
    assert client.login(username="tochuc", password=DEMO_PASSWORD)
    assert client.get("/bridges/").context["page"].paginator.count == 614
    assert client.login(username="binhson", password=DEMO_PASSWORD)
    page = client.get("/bridges/").context["page"]
    assert page.paginator.count == 81
    assert {b.code[:7] for b in page.paginator.object_list} == {"QNG-BSO"}
    assert client.get("/bridges/QNG-TPQ-001/").status_code == 403
