"""Mounted under /events/ (config/urls.py), so the paths are those the event pages had before."""

from django.urls import path

from . import views

app_name = "video"
urlpatterns = [
    path("<int:event_id>/rooms/", views.room_plan_page, name="room_plan"),
    path("<int:event_id>/rooms/<str:room_name>/moderate/", views.moderate_room, name="moderate_room"),
    # Jitsi event_sync webhooks: Jitsi's api_prefix = <site>/events/jitsi/webhook
    path("jitsi/webhook", views.jitsi_webhook, name="jitsi_webhook"),
    path("jitsi/webhook/events/<str:subject>/<str:action>", views.jitsi_webhook, name="jitsi_webhook_event"),
]
