"""Follow-up reports' pages, included at "" by config/urls.py: the officials' pages keep their paths
under /attendance/ (bookmarks, mails). The school's page is the console's (/c/<token>/followup/)."""

from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("attendance/events/<int:event_id>/followups/", views.followup_list, name="list"),
    path("attendance/followups/<int:pk>/", views.followup_detail, name="detail"),
    path("attendance/followups/<int:pk>/remind", views.followup_remind, name="remind"),
    path("attendance/followups/<int:pk>/close", views.followup_close, name="close"),
    path("attendance/followups/answers/<int:pk>/attachment", views.followup_attachment, name="attachment"),
]
