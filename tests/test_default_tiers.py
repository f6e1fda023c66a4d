"""A freshly migrated database has the usual tiers, so a province's first import works without the admin.

Each test takes bridges back to 0001 and empties the Tier table, the state of a fresh install just before
the data migration, then migrates forward for real. (Relying on the rows `migrate` left in the test
database would depend on test order: transactional tests flush every table.)
"""

from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bridges.models import Bridge, Tier

pytestmark = pytest.mark.django_db(transaction=True)

USUAL = [
    ("host", "Điểm cầu chính", "host", 0),
    ("district", "Huyện", "intermediate", 1),
    ("school", "Trường", "school", 2),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_from_before_the_tiers(existing=()):
    _migrate([("bridges", "0001_initial")])
    Tier.objects.all().delete()
    Tier.objects.bulk_create(Tier(code=c, label=label, role=role, order=o) for c, label, role, o in existing)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def write_halls(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Điểm cầu"
    # The "Cấp" column names the tiers by their migrated labels, as an office would type them.
    sheet.append(["STT", "Mã điểm cầu", "Tên điểm cầu", "Cấp", "Đơn vị cấp trên"])
    sheet.append([1, "QNG", "Trung tâm IOC tỉnh Quảng Ngãi", "Điểm cầu chính", ""])
    sheet.append([2, "QNG-BS", "Phòng GD&ĐT huyện Bình Sơn", "Huyện", "QNG"])
    sheet.append([3, "QNG-TN", "Phòng GD&ĐT thị xã Đức Phổ", "Huyện", "QNG"])
    book.save(path)
    return path


def test_migrate_creates_the_usual_tiers_on_an_empty_table():
    migrate_from_before_the_tiers()
    assert list(Tier.objects.values_list("code", "label", "role", "order")) == USUAL


def test_migrate_leaves_tiers_already_set_up_alone():
    own = [("tinh", "Tỉnh", "host", 0), ("xa", "Xã, phường", "intermediate", 1), ("truong", "Trường", "school", 2)]
    migrate_from_before_the_tiers(own)
    assert list(Tier.objects.values_list("code", "label", "role", "order")) == own


def test_first_import_on_a_migrated_database_uses_the_migrated_tiers(tmp_path):
    migrate_from_before_the_tiers()
    migrated = {t.code: t.pk for t in Tier.objects.all()}
    out = StringIO()
    call_command("import_bridges", str(write_halls(tmp_path / "diem-cau.xlsx")), stdout=out)
    host = Bridge.objects.get(code="QNG")
    assert (host.tier_id, host.parent) == (migrated["host"], None)
    halls = Bridge.objects.filter(parent=host).order_by("code")
    assert [(b.code, b.name, b.tier_id) for b in halls] == [
        ("QNG-BS", "Phòng GD&ĐT huyện Bình Sơn", migrated["district"]),
        ("QNG-TN", "Phòng GD&ĐT thị xã Đức Phổ", migrated["district"]),
    ]
    assert Bridge.objects.count() == 3 and Tier.objects.count() == 3  # no tier created on the way
    assert "Cấp → tier" in out.getvalue()  # the preview text says the column was read as the tier
