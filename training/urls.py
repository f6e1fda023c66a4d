from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.training_list, name="list"),
    path("<int:event_id>/", views.training_detail, name="detail"),
    path("<int:event_id>/rule/", views.save_rule, name="rule"),
    path("<int:event_id>/eligibility/", views.eligibility, name="eligibility"),
    path("<int:event_id>/people/<int:person_id>/", views.person_standing, name="person"),
    path("<int:event_id>/people/<int:person_id>/issue/", views.issue_person, name="issue_person"),
    path("<int:event_id>/issue/", views.start_issue, name="issue"),
    path("<int:event_id>/print/", views.start_print, name="print"),
    path("<int:event_id>/certificates/", views.certificate_list, name="certificates"),
    path("<int:event_id>/template/", views.template_edit, name="template"),
    path("<int:event_id>/template/preview.pdf", views.template_preview, name="template_preview"),
    path("certificate/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificate/<int:pk>/pdf", views.certificate_download, name="certificate_pdf"),
    path("certificate/<int:pk>/revoke/", views.revoke, name="revoke"),
]
