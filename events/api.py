from ninja import Router

# No tags here: django-ninja adds a parent router's tags to its children's, and each child names its own.
router = Router()

# Events, sessions, agenda, invitations, readiness, reminders under /api/events/...
from .event_api import router as event_router  # noqa: E402

router.add_router("", event_router)

# Calendars and invitation letters under /api/events/{event_id}/invitation-letters/..., .../calendar.ics
from .calendar_api import router as calendar_router  # noqa: E402

router.add_router("", calendar_router)

# The invitation letter's fields and preview under /api/events/{event_id}/invitation-letter...
from .letter_api import router as letter_router  # noqa: E402

router.add_router("", letter_router)
