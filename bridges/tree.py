"""Materialized paths of the bridge tree."""

import re

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr


def path_for(bridge) -> str:
    prefix = bridge.parent.path if bridge.parent_id else "/"
    return f"{prefix}{bridge.pk}/"


def assign_path(bridge) -> None:
    """Set the bridge's path after save and move its descendants along if it changed."""
    from .models import Bridge

    old_path = bridge.path
    if bridge.parent_id and bridge.parent.pk == bridge.pk:
        raise ValueError("a bridge cannot be its own parent")
    new_path = path_for(bridge)
    if old_path == new_path:
        return
    if bridge.parent_id and bridge.parent.path.startswith(old_path or "\0"):
        raise ValueError("a bridge cannot move below its own descendant")
    depth = new_path.count("/") - 2
    Bridge.objects.filter(pk=bridge.pk).update(path=new_path, depth=depth)
    if old_path:
        Bridge.objects.filter(path__startswith=old_path).exclude(pk=bridge.pk).update(
            path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)),
            depth=F("depth") + (depth - bridge.depth),
        )
    bridge.path, bridge.depth = new_path, depth


def assign_paths_after_bulk_create(bridges) -> None:
    """bulk_create skips save(): give fresh bridges their path and depth (parents before children)."""
    from .models import Bridge

    for bridge in bridges:
        bridge.path = path_for(bridge)
        bridge.depth = bridge.path.count("/") - 2
    Bridge.objects.bulk_update(bridges, ["path", "depth"], batch_size=500)


def unit_order(code: str, name: str = "") -> tuple:
    """The one order of units (districts, schools) on every page, list and file: by code, numbers in it
    compared as numbers ("QNG-2" before "QNG-10"), then by name. Codes are what the province assigns in
    its own order; names would sort "Thành phố …" among the districts by a letter."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in re.split(r"(\d+)", code or "") if part) + ((2, name.casefold()),)


def path_ids(path: str) -> list[int]:
    """The ids on a materialized path, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def intermediate_bridges() -> dict[int, dict]:
    """Intermediate bridges by id (id, code, name, path): the units reports and plans group under."""
    from .models import Bridge, Tier

    return {row["id"]: row for row in Bridge.objects.filter(tier__role=Tier.Role.INTERMEDIATE)
            .values("id", "code", "name", "path")}


def district_of(path: str, districts: dict):
    """The highest intermediate bridge on a path, the bridge itself included: its "district".

    `districts` maps ids of intermediate bridges to whatever the caller wants back (rows or models).
    Tier names are data, so "district" here means that role, whatever the province calls it.
    """
    for bridge_id in path_ids(path):
        if bridge_id in districts:
            return districts[bridge_id]
    return None


def group_of(path: str, ancestors: dict[int, dict]) -> dict:
    """The unit a bridge is counted under on the board, in reports and follow-ups: its district
    (`district_of`), else, for the host and others outside any district, the tree's root.

    `ancestors` maps ids to rows with at least id, code, name, tier__role, for the bridges on the path.
    """
    from .models import Tier

    known = [i for i in path_ids(path) if i in ancestors]
    intermediates = {i: ancestors[i] for i in known if ancestors[i]["tier__role"] == Tier.Role.INTERMEDIATE}
    return district_of(path, intermediates) or ancestors[known[0]]


def group_of_loading(path: str, ancestors: dict[int, dict]) -> dict | None:
    """`group_of`, fetching into the caller's cache `ancestors` the bridges of the path it lacks;
    None for an empty path."""
    from .models import Bridge

    ids = path_ids(path)
    missing = [i for i in ids if i not in ancestors]
    if missing:
        for row in Bridge.objects.filter(pk__in=missing).values("id", "code", "name", "tier__role"):
            ancestors[row["id"]] = row
    if not any(i in ancestors for i in ids):
        return None
    return group_of(path, ancestors)
