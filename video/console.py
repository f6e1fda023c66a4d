"""The console's video section: a room to join, a livestream link, or why neither.

Registered in video/apps.py; the join button asks the console API (`urls.api.jitsi`) for fresh
join data, so a plan changed after the page loaded is honoured.
"""

from events.console_sections import ConsoleSection, register

from .tokens import console_video_context


def _video(bridge, event, token):
    if event is None:
        return None
    entries = console_video_context(bridge, event=event)
    if not entries:
        return None
    for index, entry in enumerate(entries):
        entry["element_id"] = f"jitsi-join-{entry['event'].pk}-{index}"
    return {"video_entries": entries, "help_contacts": help_contacts(bridge, event)}


def help_contacts(bridge, event) -> list[dict]:
    """Whom a school calls when the video room will not open: its district office, then the host's
    technical desk (whoever has a number on record)."""
    contacts = []
    for helper in (bridge.parent, event.host):
        if helper is None or helper.pk == bridge.pk or any(c["bridge"] == helper.pk for c in contacts):
            continue
        phone = helper.tech_phone or helper.head_phone
        if phone:
            contacts.append({"bridge": helper.pk, "name": helper.name, "phone": phone})
    return contacts


def register_sections() -> None:
    # On a launch day right under the live section (the school joins the room), not folded away.
    register(ConsoleSection("video", 50, "video/_console_video.html", _video, live=30))
