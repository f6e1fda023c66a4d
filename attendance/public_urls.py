"""Root-level URLs of the write side, included at "" by config/urls.py: the teacher's page behind
the roll-call QR (/a/<code>). The console's routes are the console app's (/c/<token>/..., /api/console/...)."""

from django.urls import path

from . import views

app_name = "attendance_public"
urlpatterns = [
    path("a/<str:code>", views.teacher_page, name="teacher"),
    path("a/<str:code>/names", views.teacher_names_json, name="teacher_names"),
]
