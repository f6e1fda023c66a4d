from django.urls import path  # noqa: F401

app_name = "attendance"
urlpatterns: list = []

# Live board and launch (read side).
from .board import views as board_views  # noqa: E402

urlpatterns += [
    path("events/<int:event_id>/board/", board_views.board_page, name="board"),
    path("events/<int:event_id>/board/snapshot", board_views.board_snapshot, name="board_snapshot"),
    path("events/<int:event_id>/launch", board_views.launch_from_board, name="launch"),
]

# Roll calls (write side): organizers open and close them, officers follow them.
from . import views  # noqa: E402

urlpatterns += [
    path("events/<int:event_id>/rollcalls/", views.rollcall_list, name="rollcalls"),
    path("rollcalls/<int:pk>/", views.rollcall_detail, name="rollcall"),
    path("rollcalls/<int:pk>/close/", views.rollcall_close, name="rollcall_close"),
]
