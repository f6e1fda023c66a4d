from django.urls import path

from .console_consumer import ConsoleConsumer

websocket_urlpatterns: list = [
    path("ws/console/<str:token>/", ConsoleConsumer.as_asgi()),
]

# Live board and launch clock (read side).
from .board.consumer import BoardConsumer  # noqa: E402
from .launch_consumer import LaunchConsumer  # noqa: E402

websocket_urlpatterns += [
    path("ws/board/<int:event_id>/", BoardConsumer.as_asgi()),
    path("ws/launch/<str:token>/", LaunchConsumer.as_asgi()),
]
