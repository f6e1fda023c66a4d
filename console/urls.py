"""The console's page and file routes, included under /c/<token>/ by config/urls.py. Names are global
(emails, the calendar feed and the bridge QR codes link to them). Reads and writes are the API's."""

from django.urls import path

from . import files, views

urlpatterns = [
    path("", views.console, name="console"),
    path("followup/", views.followup, name="console_followup"),
    path("speedtest", files.speedtest, name="console_speedtest"),
    path("rollcall/qr.svg", files.rollcall_qr, name="console_qr"),
    path("calendar.ics", files.calendar_feed, name="console_calendar"),
    path("invitations/<int:pk>.pdf", files.invitation_letter, name="console_invitation_pdf"),
    path("certificates.zip", files.certificates_zip, name="console_certificates_zip"),
]
