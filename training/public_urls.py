"""Routes outside /training/: public verification and teacher self-service."""

from django.urls import path

from . import public_views

urlpatterns = [
    path("verify/", public_views.verify_form, name="verify"),
    path("verify/<str:code>", public_views.verify, name="verify_code"),
    path("certificates/", public_views.self_service, name="my_certificates"),
    path("certificates/<int:pk>.pdf", public_views.self_service_pdf, name="my_certificate_pdf"),
]
