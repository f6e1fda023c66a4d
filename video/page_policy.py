"""What a page that embeds the Jitsi call may do beyond every other page (core/security_headers.py).

`jitsi_page` wraps such a view (the school console, the moderator page): the Content-Security-Policy lets
the Jitsi domain (JITSI_DOMAIN, read per request) serve the IFrame API script, the call's frame and the
readiness test's reachability probe; the Permissions-Policy lets the page and that frame use the camera,
the microphone and screen capture (the host presents). Every other page keeps all three off.
"""

from functools import wraps

from csp.decorators import csp_update
from django.conf import settings

from core.security_headers import allow_features

FEATURES = ("camera", "microphone", "display-capture")


def jitsi_origin() -> str:
    return f"https://{settings.JITSI_DOMAIN.lower()}"


def jitsi_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origin = jitsi_origin()
        widened = csp_update({"script-src": [origin], "frame-src": [origin], "connect-src": [origin]})(view)
        return allow_features(widened(request, *args, **kwargs), [origin], FEATURES)

    return wrapped
