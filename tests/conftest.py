import pytest
from django.contrib.auth import get_user_model

from bridges.models import Bridge, Person, Role, Tier


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher costs ~0.4 s per user on this machine; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tiers(db):
    return {
        "host": Tier.objects.create(code="host", label="Điểm cầu chính", role=Tier.Role.HOST, order=0),
        "district": Tier.objects.create(code="district", label="Huyện", role=Tier.Role.INTERMEDIATE, order=1),
        "school": Tier.objects.create(code="school", label="Trường", role=Tier.Role.SCHOOL, order=2),
    }


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
