"""The school console's API, mounted at /api/console/ by config/api.py: every read and write of the
console page (and of any other client holding the link) is an operation here, /api/console/{token}/...

The token in the path is the credential (console.auth.console_link): no session and no CSRF token,
an unknown or rotated one answers 404. One router per app the console draws on; each operation is
a thin adapter over that app's services.
"""

from ninja import Router

from . import api_attendance, api_events, api_followups, api_schoolreports, api_training, api_video

# No tags here: django-ninja adds a parent router's tags to its children's, and each child names its own.
router = Router()
for part in (api_events, api_attendance, api_video, api_followups, api_schoolreports, api_training):
    router.add_router("", part.router)
