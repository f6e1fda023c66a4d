from django.urls import path  # noqa: F401

app_name = "attendance"
urlpatterns: list = []

# Live board and launch (read side).
from . import board_views  # noqa: E402

urlpatterns += [
    path("events/<int:event_id>/board/", board_views.board_page, name="board"),
    path("events/<int:event_id>/board/snapshot", board_views.board_snapshot, name="board_snapshot"),
    path("events/<int:event_id>/launch", board_views.launch_from_board, name="launch"),
    path("console/<str:token>/launch", board_views.launch_from_console, name="console_launch"),
    path("console/<str:token>/launch/state", board_views.launch_state_for_console, name="console_launch_state"),
]

# Roll calls (write side): organizers open and close them, officers follow them.
from . import views  # noqa: E402

urlpatterns += [
    path("events/<int:event_id>/rollcalls/", views.rollcall_list, name="rollcalls"),
    path("rollcalls/<int:pk>/", views.rollcall_detail, name="rollcall"),
    path("rollcalls/<int:pk>/close/", views.rollcall_close, name="rollcall_close"),
]

# Reports for officials and follow-up reports after a training (issue 6).
from . import followup_views, report_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.reports_index, name="reports_index"),
    path("events/<int:event_id>/reports/", report_views.reports_page, name="reports"),
    path("events/<int:event_id>/reports/export", report_views.export_attendance, name="report_export"),
    path("events/<int:event_id>/followups/", followup_views.followup_list, name="followups"),
    path("followups/<int:pk>/", followup_views.followup_detail, name="followup"),
    path("followups/<int:pk>/remind", followup_views.followup_remind, name="followup_remind"),
    path("followups/<int:pk>/close", followup_views.followup_close, name="followup_close"),
    path("followups/<int:pk>/export", followup_views.followup_export, name="followup_export"),
    path("followups/answers/<int:pk>/attachment", followup_views.followup_attachment, name="followup_attachment"),
]
