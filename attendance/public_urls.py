"""Root-level URLs of the write side, included at "" by config/urls.py: the teacher's page behind
the roll-call QR (/a/<code>) and the console's attendance endpoints (/c/<token>/...)."""

from django.urls import path

from . import views

app_name = "attendance_public"
urlpatterns = [
    path("a/<str:code>", views.teacher_page, name="teacher"),
    path("c/<str:token>/checkin", views.console_checkin, name="console_checkin"),
    path("c/<str:token>/headcount", views.console_headcount, name="console_headcount"),
    path("c/<str:token>/tick", views.console_tick, name="console_tick"),
    path("c/<str:token>/live", views.console_live, name="console_live"),
    path("c/<str:token>/roster", views.console_roster, name="console_roster"),
    path("c/<str:token>/rollcall/qr.svg", views.console_qr, name="console_qr"),
]
