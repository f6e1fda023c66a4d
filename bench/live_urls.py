"""The project's URLs plus /bench/insert (a bare Django endpoint that inserts one row and answers 200) and
/bench/hello (a JsonResponse and nothing else: what any Django request costs here).

It is the yardstick for the check-in endpoint (same server, same database, same client): the check-in
must reach at least 70 % of its throughput. It writes a ClientNonce row, the smallest table that
takes an insert with a unique index, through the ORM in the default autocommit mode.
"""

import uuid

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from attendance.models import ClientNonce
from config.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def insert_one(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ClientNonce.objects.create(scope="bench", nonce=uuid.uuid4().hex)
    return JsonResponse({"ok": True})


def hello(request):
    """The project's cheapest page: a JsonResponse through the whole ASGI stack and middleware chain."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/insert", insert_one), path("bench/hello", hello), *project_urlpatterns]
