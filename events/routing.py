from channels.auth import AuthMiddlewareStack
from django.urls import path

from . import consumers

websocket_urlpatterns: list = [
    # Answers a logged-in user too: the session cookie is read (config/asgi.py leaves it to each route).
    path("ws/ping/", AuthMiddlewareStack(consumers.PingConsumer.as_asgi())),
]
