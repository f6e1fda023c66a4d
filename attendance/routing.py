from channels.auth import AuthMiddlewareStack
from django.urls import path

from .console_consumer import ConsoleConsumer

# The console and launch sockets authenticate by their token alone: no cookie/session/auth middleware
# (it held ~3 KB a socket, issue 13). The board needs the logged-in user, so its route carries the stack.
websocket_urlpatterns: list = [
    path("ws/console/<str:token>/", ConsoleConsumer.as_asgi()),
]

# Live board and launch clock (read side).
from .board.consumer import BoardConsumer  # noqa: E402
from .launch_consumer import LaunchConsumer  # noqa: E402

websocket_urlpatterns += [
    path("ws/board/<int:event_id>/", AuthMiddlewareStack(BoardConsumer.as_asgi())),
    path("ws/launch/<str:token>/", LaunchConsumer.as_asgi()),
]
