"""School reports' pages, included at /school-reports/ by config/urls.py. The school's side is its console."""

from django.urls import path

from . import views

app_name = "schoolreports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.create, name="create"),
    path("forms/<int:pk>/", views.form_designer, name="form"),
    path("forms/<int:pk>/xlsform.xlsx", views.form_xlsform, name="xlsform"),
    path("forms/<int:pk>/publish", views.publish, name="publish"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/remind", views.round_remind, name="remind"),
    path("rounds/<int:pk>/close", views.round_close, name="close"),
    path("rounds/<int:pk>/answers/<int:bridge_id>/", views.answer_detail, name="answer"),
    path("attachments/<int:pk>", views.attachment, name="attachment"),
]
