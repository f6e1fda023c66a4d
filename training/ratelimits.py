"""Rate limits of the public pages (verification, teacher self-service), per client IP.

django-ratelimit counts in the default cache: per process with the embedded LocMem cache, shared by
every worker once REDIS_URL points the cache at Redis.
"""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

VERIFY = ("training.verify", getattr(settings, "TRAINING_VERIFY_RATE", "30/m"))
SELF_SERVICE = ("training.self_service", getattr(settings, "TRAINING_SELF_SERVICE_RATE", "10/m"))


def limited(request, limit: tuple[str, str]) -> bool:
    group, rate = limit
    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def too_many(request):
    response = render(request, "training/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response
