"""Follow-up reports' pages, included at "" by config/urls.py: the officials' pages keep their paths
under /attendance/ (bookmarks, mails) and the school's pages sit under its console link /c/<token>/."""

from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("attendance/events/<int:event_id>/followups/", views.followup_list, name="list"),
    path("attendance/followups/<int:pk>/", views.followup_detail, name="detail"),
    path("attendance/followups/<int:pk>/remind", views.followup_remind, name="remind"),
    path("attendance/followups/<int:pk>/close", views.followup_close, name="close"),
    path("attendance/followups/answers/<int:pk>/attachment", views.followup_attachment, name="attachment"),
    path("c/<str:token>/followup/", views.console_followup, name="console"),
    path("c/<str:token>/followup/<int:form_id>/", views.console_followup_submit, name="console_submit"),
]
