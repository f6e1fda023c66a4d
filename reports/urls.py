"""The reports pages, included at "attendance/" by config/urls.py (the paths they had in attendance)."""

from django.urls import path

from . import followup_views, views

app_name = "reports"
urlpatterns = [
    path("reports/", views.reports_index, name="index"),
    path("events/<int:event_id>/reports/", views.reports_page, name="reports"),
    path("events/<int:event_id>/reports/export", views.export_attendance, name="export"),
    path("followups/<int:pk>/export", followup_views.followup_export, name="followup_export"),
]
