"""Materialized paths of the bridge tree."""

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
