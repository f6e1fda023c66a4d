from django.urls import path

from . import calendar_views, letter_views, views

app_name = "events"
urlpatterns = [
    # Events, sessions, agenda, participant groups
    path("", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/status/", views.event_status, name="status"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/groups/", views.participant_groups, name="groups"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<int:pk>/sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/sessions/<int:session_id>/delete/", views.session_delete, name="session_delete"),
    path("<int:pk>/sessions/<int:session_id>/agenda/new/", views.agenda_create, name="agenda_create"),
    path("<int:pk>/agenda/<int:item_id>/edit/", views.agenda_edit, name="agenda_edit"),
    path("<int:pk>/agenda/<int:item_id>/delete/", views.agenda_delete, name="agenda_delete"),
    path("<int:pk>/agenda/<int:item_id>/restore/", views.agenda_restore, name="agenda_restore"),
    # Invitations and readiness
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invitations/", views.invitation_list, name="invitations"),
    path("<int:pk>/invitations/<str:code>/", views.invitation_detail, name="invitation"),
    path("<int:pk>/invitations/<str:code>/qr.png", views.invitation_qr, name="invitation_qr"),
    path("<int:pk>/readiness/", views.readiness, name="readiness"),
    path("<int:pk>/reminders/", views.reminders, name="reminders"),
    # Calendars and invitation letters (events/calendar_views.py)
    path("<int:pk>.ics", calendar_views.event_ics, name="calendar"),
    path("<int:pk>/letters/", calendar_views.invitations_page, name="invitation_letters"),
    path("<int:pk>/letters/zip/", calendar_views.start_zip, name="invitation_letters_zip"),
    path("<int:pk>/letters/email/", calendar_views.start_emails, name="invitation_letters_email"),
    path("<int:pk>/letters/<str:code>.pdf", calendar_views.bridge_invitation_pdf, name="invitation_letter_pdf"),
    path("<int:pk>/letter/preview.pdf", letter_views.letter_preview, name="letter_preview"),
]
