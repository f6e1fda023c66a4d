"""URLs of a school's console, included under /c/<token>/ by config/urls.py. Names are global."""

from django.urls import path

from . import console_views

urlpatterns = [
    path("", console_views.console, name="console"),
    path("confirm", console_views.confirm, name="console_confirm"),
    path("decline", console_views.decline, name="console_decline"),
    path("contacts", console_views.contacts, name="console_contacts"),
    path("readiness", console_views.readiness, name="console_readiness"),
    path("speedtest", console_views.speedtest, name="console_speedtest"),
]
