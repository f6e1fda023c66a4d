from ninja import Router

router = Router(tags=["events"])

# Events, sessions, agenda, invitations, readiness, reminders under /api/events/...
from .event_api import router as event_router  # noqa: E402

router.add_router("", event_router)

# Calendars and invitation letters under /api/events/{event_id}/invitation-letters/..., .../calendar.ics
from .calendar_api import router as calendar_router  # noqa: E402

router.add_router("", calendar_router)
