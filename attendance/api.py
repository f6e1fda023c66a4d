from ninja import Router

# No tags here: django-ninja adds a parent router's tags to its children's, and each child names its own.
router = Router()

# Live board snapshot and launch (read side): /api/attendance/events/{event_id}/board, .../launch
from .board.api import router as board_router  # noqa: E402

router.add_router("", board_router)

# Check-ins and roll calls (write side): /qr/{code}/checkin, /events/{event_id}/rollcalls, /rollcalls/{id}/...
from .api_writes import router as writes_router  # noqa: E402

router.add_router("", writes_router)
