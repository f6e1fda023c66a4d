"""Websocket routes of every app."""

from attendance.routing import websocket_urlpatterns as attendance_ws
from events.routing import websocket_urlpatterns as events_ws

websocket_urlpatterns: list = [*events_ws, *attendance_ws]
