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
    return {"video_entries": entries}


def register_sections() -> None:
    register(ConsoleSection("video", 50, "video/_console_video.html", _video))
