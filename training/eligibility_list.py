"""The eligibility list as people page through it (the page and the API): filtered, paged, and judging only
the people of the page asked for.

A province's list is 17,878 people; judging all of them for every view of a 100-row page was the list's
whole cost (342 ms a view for the organizer, issue 14). The read model (`training.tallies`) already keeps,
per bridge, how many people the rule judges there and how many of them are eligible, counted by the same
`evaluate`, and the list's order is the tallies' order (the bridge's path, then the name). So a page's rows
are found by walking those counts to the few bridges that hold them, and only those bridges are judged.
The counts choose whom to judge, never a verdict: when what was judged disagrees with them (a change not
counted yet, a connected share that grew since), the whole scope is judged instead. A search judges the
people it finds (in SQL: `evaluate(matching=)`), however many bridges they are spread over.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Q

from bridges.models import Bridge, Person
from core.text import fold
from events.models import Event

from . import tallies
from .eligibility import Standing, evaluate

STATUSES = ("eligible", "not")


@dataclass(frozen=True)
class Filters:
    status: str = ""  # "", "eligible" or "not"
    district: Bridge | None = None  # one of the viewer's visible districts, or None
    query: str = ""  # a name, an identifier's start, or a school
    district_code: str = ""  # as asked (kept in the page's links even when it names no visible district)

    def keeps(self, standing: Standing) -> bool:
        return {"eligible": standing.eligible, "not": not standing.eligible}.get(self.status, True)


def standing_of(event: Event, person: Person) -> Standing | None:
    """One person's standing (None: not among the training's people), judged with their own bridge only."""
    report = evaluate(event, bridge_ids=[person.bridge_id])
    return next((s for s in report.standings if s.person_id == person.pk), None)


class EligibilityList:
    """The standings within a scope (a subtree path, None: all) and filters, as a sequence: `len()` and slices,
    what django's Paginator and the API's limit/offset pagination ask of a list."""

    def __init__(self, event: Event, *, scope_path: str | None, filters: Filters):
        self.event, self.filters = event, filters
        # A district chosen within the viewer's scope narrows it (visible districts are inside the scope).
        self.path = filters.district.path if filters.district is not None else scope_path
        self._whole: list[Standing] | None = None
        self._counts: list[tuple[int, int, int]] = []  # (bridge id, people judged, eligible) in the list's order
        if filters.query:
            self._judge_whole()
        else:
            self._counts = tallies.people_counts(event, path=self.path)

    def _wanted(self, people: int, eligible: int) -> int:
        return {"eligible": eligible, "not": people - eligible}.get(self.filters.status, people)

    def _judge_whole(self) -> list[Standing]:
        matching = _search(self.filters.query, self.path) if self.filters.query else None
        report = evaluate(self.event, scope_path=self.path, matching=matching)
        self._whole = [s for s in report.standings if self.filters.keeps(s)]
        return self._whole

    def __len__(self) -> int:
        if self._whole is not None:
            return len(self._whole)
        return sum(self._wanted(people, eligible) for _bridge, people, eligible in self._counts)

    def count(self) -> int:
        return len(self)

    def __getitem__(self, window):
        if not isinstance(window, slice):
            raise TypeError("an eligibility list is read by slices (a page)")
        if self._whole is not None:
            return self._whole[window]
        start, stop, step = window.indices(len(self))
        if step != 1:
            raise ValueError("an eligibility list is read a page at a time")
        chosen, first, seen = {}, 0, 0
        for bridge_id, people, eligible in self._counts:
            wanted = self._wanted(people, eligible)
            if wanted and seen + wanted > start and seen < stop:
                if not chosen:
                    first = seen
                chosen[bridge_id] = (people, eligible)
            seen += wanted
            if seen >= stop:
                break
        if not chosen:
            return []
        judged = evaluate(self.event, bridge_ids=list(chosen)).standings
        people, eligible = Counter(s.bridge_id for s in judged), Counter(s.bridge_id for s in judged if s.eligible)
        if any((people[b], eligible[b]) != counts for b, counts in chosen.items()):
            return self._judge_whole()[window]  # the counts are behind the verdicts: judge everyone
        kept = [s for s in judged if self.filters.keeps(s)]
        return kept[start - first:stop - first]

    def __iter__(self):
        return iter(self[0:len(self)])


def _search(query: str, path: str | None) -> Q:
    """The people a search finds: a name containing it, an identifier starting with it, or a school whose
    name contains it, names compared folded (core.text.fold: case and diacritics aside)."""
    key = fold(query)
    schools = Bridge.objects.filter(path__startswith=path) if path else Bridge.objects.all()
    named = [pk for pk, name in schools.values_list("pk", "name") if key in fold(name)]
    return Q(name_key__contains=key) | Q(teacher_id__startswith=query) | Q(bridge_id__in=named)
