import os

import pytest
from django.contrib.auth import get_user_model

from bridges.models import Bridge, Person, Role, Tier

# The browser tests' `browser` (Debian's chromium) and `server` (uvicorn on the test database) fixtures.
pytest_plugins = ["tests.browser_support"]


@pytest.fixture(autouse=True)
def clean_rate_limits():
    # django-ratelimit counts in the cache (LocMem, one per process) and SQLite reuses the ids of rolled-back
    # rows: without this, one test's check-ins would count against the next test's roll call of the same id.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher costs ~0.4 s per user on this machine; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TEST_TIERS = (
    ("host", "Điểm cầu chính", Tier.Role.HOST, 0),
    ("district", "Huyện", Tier.Role.INTERMEDIATE, 1),
    ("school", "Trường", Tier.Role.SCHOOL, 2),
)


@pytest.fixture
def tiers(db):
    # The migrated database already has these tiers (bridges 0002), unless a transactional test flushed
    # them: update or create, so tests see the same three rows either way.
    return {code: Tier.objects.update_or_create(code=code, defaults={"label": label, "role": role, "order": order})[0]
            for code, label, role, order in TEST_TIERS}


@pytest.fixture
def small_tree(tiers):
    """Host, two districts, two schools each, three teachers per school."""
    host = Bridge.objects.create(code="IOC", name="Trung tâm IOC", tier=tiers["host"])
    tree = {"host": host}
    for d in ("BS", "TN"):
        district = Bridge.objects.create(code=d, name=f"Huyện {d}", tier=tiers["district"], parent=host)
        tree[d] = district
        for n in (1, 2):
            school = Bridge.objects.create(
                code=f"{d}-S{n}", name=f"Trường {d} {n}", tier=tiers["school"], parent=district,
                head_phone="0905000000", expected_participants=3,
            )
            tree[f"{d}-S{n}"] = school
            for k in range(3):
                Person.objects.create(
                    bridge=school, full_name=f"Giáo viên {d}{n}{k}", teacher_id=f"0{d}{n}{k}",
                    phone=f"09050{n}{k}000",
                )
    return tree


@pytest.fixture
def make_user(db):
    def make(username, kind=None, scope=None, password="pw-Secret-123"):
        user = get_user_model().objects.create_user(username=username, password=password)
        if kind:
            Role.objects.create(user=user, kind=kind, scope=scope)
        return user

    return make


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", Role.Kind.ORGANIZER)


@pytest.fixture
def english(client):
    """The test client with English chosen in the language switch (pages default to Vietnamese)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def redis_url():
    """The Redis the PostgreSQL/Redis pass runs on (REDIS_URL); the test is skipped, saying so, without it."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the PostgreSQL/Redis pass of `make test` runs this")
    return url
