"""Write a plan: bulk inserts and updates, inside the caller's transaction."""

from collections import defaultdict

from django.utils import timezone

from core.text import fold

from ..models import Bridge, Person
from ..signals import written
from ..tree import assign_paths_after_bulk_create
from .plan import CREATE, UPDATE, Plan, Planned

BATCH = 1000


def apply_bridges(plan: Plan) -> None:
    creates = [p for p in plan.rows if p.action == CREATE]
    updates = [p for p in plan.rows if p.action == UPDATE]

    def new_depth(planned: Planned) -> int:
        depth, parent = 0, planned.parent
        while isinstance(parent, Planned):
            depth, parent = depth + 1, parent.parent
        return depth

    levels = defaultdict(list)
    for planned in creates:
        levels[new_depth(planned)].append(planned)
    created: list[Bridge] = []
    for depth in sorted(levels):
        batch = []
        for planned in levels[depth]:
            parent = planned.parent.obj if isinstance(planned.parent, Planned) else planned.parent
            planned.obj = Bridge(code=planned.key, tier=planned.tier, parent=parent, **planned.values)
            batch.append(planned.obj)
        # Parents are inserted a level before their children, so every parent has its pk.
        Bridge.objects.bulk_create(batch, batch_size=BATCH)
        created.extend(batch)
    assign_paths_after_bulk_create(created)

    now = timezone.now()
    flat, moved = [], []
    fields = set()
    for planned in updates:
        bridge = planned.target
        for name, value in planned.values.items():
            setattr(bridge, name, value)
        if "tier" in planned.changes:
            bridge.tier = planned.tier
        planned.obj = bridge
        if "parent" in planned.changes:
            moved.append(planned)
        else:
            fields.update(planned.values)
            if "tier" in planned.changes:
                fields.add("tier")
            bridge.updated_at = now
            flat.append(bridge)
    if flat:
        Bridge.objects.bulk_update(flat, sorted(fields | {"updated_at"}), batch_size=500)
    # Moves go through save(): the tree code moves the whole subtree along. Shallow parents first.
    for planned in sorted(moved, key=lambda p: _parent_bridge(p).depth if _parent_bridge(p) else -1):
        planned.obj.parent = _parent_bridge(planned)
        planned.obj.save()
    written.send(sender=Bridge, bridge_ids=[p.obj.pk for p in updates])


def _parent_bridge(planned: Planned) -> Bridge | None:
    return planned.parent.obj if isinstance(planned.parent, Planned) else planned.parent


def apply_people(plan: Plan) -> None:
    creates = [p for p in plan.rows if p.action == CREATE]
    updates = [p for p in plan.rows if p.action == UPDATE]
    for start in range(0, len(creates), BATCH):
        batch = []
        for planned in creates[start:start + BATCH]:
            person = Person(bridge=planned.bridge, **planned.values)
            # bulk_create skips save(), which is where the comparison key is normally set.
            person.name_key = fold(person.full_name)[:150]
            batch.append(person)
        Person.objects.bulk_create(batch)
    now = timezone.now()
    people, fields = [], set()
    touched = {planned.target.bridge_id for planned in updates}  # before a move: the roster it leaves
    for planned in updates:
        person = planned.target
        for name, value in planned.values.items():
            setattr(person, name, value)
        fields.update(planned.values)
        if "full_name" in planned.values:
            person.name_key = fold(person.full_name)[:150]
            fields.add("name_key")
        if "bridge" in planned.changes:
            person.bridge = planned.bridge
            fields.add("bridge")
        person.updated_at = now
        people.append(person)
    if people:
        Person.objects.bulk_update(people, sorted(fields | {"updated_at"}), batch_size=500)
    touched |= {p.bridge.pk for p in creates + updates if p.bridge is not None}
    written.send(sender=Person, bridge_ids=touched)
