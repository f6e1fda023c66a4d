"""The designer page's edits, each a change to a copy of a definition (then services.save_definition
checks and keeps it). The page is plain HTML forms: a field's options, a grid's rows and columns are
typed one per line, as "label" or "key = label" (a key keeps answers matched when a label changes).
"""

from __future__ import annotations

from core.text import clean_text

from . import definition as d


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o['key']} = {o['label']}" for o in options or [])


def parse_options(text: str) -> list[dict]:
    out = []
    for line in (text or "").splitlines():
        line = clean_text(line)
        if not line:
            continue
        key, sep, label = line.partition("=")
        if sep and d.KEY.match(key.strip()):
            out.append({"key": key.strip(), "label": label.strip()})
        else:
            out.append({"label": line})
    return out


def field_from_post(data) -> dict:
    """A field as the designer's form posts it."""
    kind = data.get("type", "")
    raw = {"key": data.get("key", ""), "type": kind, "label": data.get("label", ""), "help": data.get("help", ""),
           "required": data.get("required") in ("on", "1", "true", "yes"), "prefill": data.get("prefill", "")}
    if kind in d.NUMBER_TYPES:
        raw.update(min=data.get("min", ""), max=data.get("max", ""), total_equals=data.get("total_equals", ""),
                   max_from=data.get("max_from", ""), max_field=data.get("max_field", ""),
                   positive_when=data.get("positive_when", ""))
    if kind in (d.CHOICE, d.MULTI_CHOICE):
        raw["choices"] = parse_options(data.get("choices", ""))
    if kind == d.GRID:
        raw["rows"] = parse_options(data.get("rows", ""))
        raw["columns"] = parse_options(data.get("columns", ""))
    return raw


def _section(definition: dict, key: str) -> dict | None:
    return next((s for s in definition["sections"] if s["key"] == key), None)


def add_section(definition: dict, title: str, help_text: str = "") -> dict:
    new = d.copy_of(definition)
    taken = {s["key"] for s in new["sections"]}
    n = len(new["sections"]) + 1
    while f"s{n}" in taken:
        n += 1
    new["sections"].append({"key": f"s{n}", "title": clean_text(title), "help": help_text or "", "fields": []})
    return new


def update_section(definition: dict, key: str, title: str, help_text: str = "") -> dict:
    new = d.copy_of(definition)
    section = _section(new, key)
    if section is not None:
        section["title"], section["help"] = clean_text(title), help_text or ""
    return new


def remove_section(definition: dict, key: str) -> dict:
    new = d.copy_of(definition)
    new["sections"] = [s for s in new["sections"] if s["key"] != key]
    return new


def put_field(definition: dict, section_key: str, field: dict, replace: str | None = None) -> dict:
    """Add `field` at the end of a section, or put it in the place of the field `replace`."""
    new = d.copy_of(definition)
    if replace:
        for section in new["sections"]:
            for i, existing in enumerate(section["fields"]):
                if existing["key"] == replace:
                    section["fields"][i] = field
                    return new
    section = _section(new, section_key) or (new["sections"][-1] if new["sections"] else None)
    if section is None:
        new["sections"].append(section := {"key": "s1", "title": "", "help": "", "fields": []})
    section["fields"].append(field)
    return new


def remove_field(definition: dict, key: str) -> dict:
    new = d.copy_of(definition)
    for section in new["sections"]:
        section["fields"] = [f for f in section["fields"] if f["key"] != key]
    return new


def move_field(definition: dict, key: str, step: int) -> dict:
    """One place up (step -1) or down (+1) within its section."""
    new = d.copy_of(definition)
    for section in new["sections"]:
        keys = [f["key"] for f in section["fields"]]
        if key in keys:
            i = keys.index(key)
            j = max(0, min(len(keys) - 1, i + step))
            section["fields"].insert(j, section["fields"].pop(i))
    return new
