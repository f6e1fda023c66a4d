"""Finding one's own name on a bridge's roster from the teacher page, without a roster dump (issue 15).

The page is public (anyone holding a fresh QR link), so it never lists the roster. A teacher types at
least MIN_LETTERS letters of their name; the answer is at most MAX_MATCHES people whose name has a
word starting with each typed word (diacritics and case aside), else none and "type more". Each match
is shown masked: the words the teacher typed in full, the others by their initial ("T. T. Hoa"),
which is enough to recognise oneself and not enough to read a colleague's name off the page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bridges.models import Person
from core.text import clean_text, fold

MIN_LETTERS = 3
MAX_MATCHES = 5
MAX_QUERY = 60


@dataclass(frozen=True)
class Match:
    id: int
    label: str


@dataclass(frozen=True)
class Found:
    matches: list[Match]
    too_short: bool = False
    too_many: bool = False


def _words(text: str) -> list[str]:
    return [w for w in fold(text).replace("-", " ").split(" ") if w]


def mask(full_name: str, typed_words: list[str]) -> str:
    """The name with the words the teacher typed in full and the others as initials."""
    shown = []
    for word in clean_text(full_name).split(" "):
        key = fold(word)
        if any(key.startswith(typed) for typed in typed_words):
            shown.append(word)
        else:
            shown.append(word[:1].upper() + ".")
    return " ".join(shown)


def search(bridge_id: int, query) -> Found:
    typed = _words(str(query or "")[:MAX_QUERY])
    if sum(len(w) for w in typed) < MIN_LETTERS:
        return Found([], too_short=True)
    # A school's roster is a few hundred rows at most: one query, the matching in Python.
    roster = Person.objects.filter(bridge_id=bridge_id).order_by("name_key", "id").values_list("id", "full_name")
    found = []
    for person_id, full_name in roster:
        words = _words(full_name)
        if all(any(word.startswith(t) for word in words) for t in typed):
            found.append((person_id, full_name))
            if len(found) > MAX_MATCHES:
                return Found([], too_many=True)
    return Found([Match(pk, mask(name, typed)) for pk, name in found])



def payload(found: Found) -> dict:
    """What a search answers, on the page and over the API."""
    if found.too_short:
        message = _("Type at least %(count)s letters of your name.") % {"count": MIN_LETTERS}
    elif found.too_many:
        message = _("Many names match: type more of your name.")
    elif not found.matches:
        message = _("No name on this bridge's roster matches. Check the spelling, or use your teacher identifier.")
    else:
        message = ""
    return {"matches": [{"id": m.id, "label": m.label} for m in found.matches], "too_short": found.too_short,
            "too_many": found.too_many, "message": message}
