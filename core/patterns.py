"""Numbers of official documents from a pattern people type, e.g. "{seq}/GM-UBND" -> "12/GM-UBND".

A tiny template, not str.format: typed text reaching str.format could ask for "{seq.__class__}" or
"{0}" and Python's formatting machinery would answer. Here the only syntax is {name} for a name the
caller allows; "{{" and "}}" write a literal brace. Anything else is refused with a message.
"""

import re

from django.utils.translation import gettext as _

from .errors import Refused

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class PatternRefused(Refused):
    code = "bad_pattern"


def _parts(pattern: str, allowed) -> list[tuple[str, str]]:
    """The pattern as ("text", literal) and ("name", placeholder) pieces; refuses what is not allowed."""
    parts, last = [], 0
    for match in _TOKEN.finditer(pattern):
        parts.append(("text", pattern[last:match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(("text", token[0]))
        elif match.group(1) is None:
            raise PatternRefused(_("A brace { or } without its pair; write {{ or }} for the character itself."))
        else:
            name = match.group(1).strip()
            if name not in allowed:
                raise PatternRefused(_("Unknown placeholder {%(name)s}: only %(allowed)s may be used.") % {
                    "name": name, "allowed": ", ".join("{" + a + "}" for a in allowed)})
            parts.append(("name", name))
        last = match.end()
    parts.append(("text", pattern[last:]))
    return parts


def check(pattern: str, allowed, *, required=()) -> str:
    """The pattern if every placeholder is allowed and every required one is there; else PatternRefused."""
    names = {value for kind, value in _parts(pattern, allowed) if kind == "name"}
    for name in required:
        if name not in names:
            raise PatternRefused(_("The pattern must contain {%(name)s}.") % {"name": name})
    return pattern


def fill(pattern: str, values: dict[str, str]) -> str:
    """The pattern with each {name} replaced by values[name] (a name missing from values is refused)."""
    return "".join(value if kind == "text" else str(values[value]) for kind, value in _parts(pattern, values))
