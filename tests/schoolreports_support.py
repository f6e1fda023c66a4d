"""Shared set-up for the school-report tests: a form copied from a shipped template and a round asking every
school of the small tree (conftest), and the console's HTTP calls as console_reports.js makes them."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schoolreports import services

LEVELS = ("tieu_hoc", "thcs", "thpt", "gdnn_gdtx")
CATEGORIES = ("ho_ngheo", "ho_can_ngheo", "mo_coi_covid", "kho_khan_khac")
GRID = "so_hs_khong_thiet_bi"


def device_round(*, deadline_in=timedelta(days=7), **audience):
    form = services.copy_template("device_needs")
    return services.publish_round(form, title="Máy tính cho em – đợt 1", deadline=timezone.now() + deadline_in,
                                  **audience)


def grid_values(cells: dict | None = None, default: int = 0) -> dict:
    """Every cell of the device-needs grid (cells: {(level, category): n}), with the total filled in right."""
    cells = cells or {}
    values = {f"{GRID}__{lv}__{cat}": str(cells.get((lv, cat), default)) for lv in LEVELS for cat in CATEGORIES}
    values["tong_so_hs"] = str(sum(int(v) for v in values.values()))
    return values


def console_submit(client, bridge, round_, values, *, typed_by="Cô Lan", nonce=None):
    url = reverse("api:console_school_report_submit", kwargs={"token": bridge.console_token, "round_id": round_.pk})
    body = {"values": values, "typed_by": typed_by}
    if nonce:
        body["nonce"] = nonce
    return client.post(url, json.dumps(body), content_type="application/json")


def console_draft(client, bridge, round_, values):
    url = reverse("api:console_school_report_draft", kwargs={"token": bridge.console_token, "round_id": round_.pk})
    return client.post(url, json.dumps({"values": values}), content_type="application/json")
