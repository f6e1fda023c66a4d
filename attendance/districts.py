"""A bridge's district as the live board groups it, for the pages that group like the board outside it.

Reports and follow-up reports (apps above attendance) group their rows by this rule, so that a
district holds the same bridges on the board, in the workbook and on a follow-up report's page.
"""

from bridges.models import Bridge
from bridges.tree import path_ids

from .board import EventBoard


def district_of(path: str, ancestors: dict[int, dict]) -> dict | None:
    """The board's district of the bridge at `path` (id, code, name, tier__role), or None for an empty path.

    `ancestors` is the caller's cache of bridges by id; ancestors not in it yet are fetched and added.
    """
    ids = path_ids(path)
    missing = [i for i in ids if i not in ancestors]
    if missing:
        for b in Bridge.objects.filter(pk__in=missing).values("id", "code", "name", "tier__role"):
            ancestors[b["id"]] = b
    if not any(i in ancestors for i in ids):
        return None
    return EventBoard._group_of(path, ancestors)
