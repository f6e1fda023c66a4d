import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before the routing imports consumers and models.
django_asgi_app = get_asgi_application()

from core.checks import refuse_unsafe_production  # noqa: E402

# Production never serves with the public development secrets, localhost addresses or undelivered mail.
refuse_unsafe_production()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from attendance.fast_path import TeacherFastPath  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from console.fast_path import ConsoleWritesFastPath  # noqa: E402
from core.asgi_limit import BoundedHTTP  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Answered before Django: the school console's four HTTP writes (console/fast_path.py) and the
        # teacher check-in's endpoints (attendance/fast_path.py); everything else goes to Django.
        "http": ConsoleWritesFastPath(TeacherFastPath(BoundedHTTP(django_asgi_app))),
        # Origin checked for every socket; the session/auth middleware only on the routes that read the user
        # (attendance/routing.py, events/routing.py): console and launch sockets go by their token.
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)

# What start-up loaded (Django, the apps, their modules and caches) lives as long as the process: taken out
# of the garbage collector's generations, so that a full collection (one every few thousand requests under
# load) walks only what the requests left, not the whole of Django: on a slow host each one cost some 150 ms
# of CPU, a pause that every request in flight waited through (issue 13's p99).
gc.freeze()
