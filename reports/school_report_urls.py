"""The round downloads, included at /school-reports/ by config/urls.py beside schoolreports' own pages."""

from django.urls import path

from . import school_report_views as views

urlpatterns = [
    path("rounds/<int:pk>/export.xlsx", views.export_xlsx, name="school_report_xlsx"),
    path("rounds/<int:pk>/export.csv", views.export_csv, name="school_report_csv"),
]
