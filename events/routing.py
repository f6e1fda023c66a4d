from django.urls import path

from . import consumers

websocket_urlpatterns: list = [
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
]
