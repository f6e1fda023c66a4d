"""Finding bridges by what a person types: a code or a name, with or without Vietnamese marks.

"nghia hanh", "Nghĩa Hành" and "BS-S1" all find what they name: every word typed must appear in the
bridge's code or name, compared through `core.text.fold` (lower case, no diacritics, đ -> d). Bridges
have no stored folded key, so the fold is done here, over the candidates a page lists (an event's
invitations, a form's schools): a few hundred to a few thousand rows, read as three columns.
"""

from core.text import fold


def words(query: str) -> list[str]:
    return fold(query).split()


def matches(bridge, query_words: list[str]) -> bool:
    """Does this bridge (anything with .code and .name) answer every word?"""
    if not query_words:
        return True
    key = fold(f"{bridge.code} {bridge.name}")
    return all(word in key for word in query_words)


def filter_queryset(queryset, query: str, *, bridge_field: str = ""):
    """`queryset` narrowed to the rows whose bridge matches `query` (all rows when it is blank).

    `bridge_field` names the bridge from the rows ("bridge" for invitations, "" for bridges themselves).
    """
    query_words = words(query)
    if not query_words:
        return queryset
    prefix = f"{bridge_field}__" if bridge_field else ""
    ids = [
        pk for pk, code, name in queryset.values_list(f"{prefix}pk", f"{prefix}code", f"{prefix}name").order_by()
        if all(word in fold(f"{code} {name}") for word in query_words)
    ]
    return queryset.filter(**{f"{prefix}pk__in": ids})
