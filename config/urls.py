from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views as project_views
from config.api import api
from core import views as core_views

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", project_views.favicon),  # browsers ask for it whatever the page links
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/", include("core.urls")),
    path("bridges/", include("bridges.urls")),
    path("events/", include("events.urls")),
    path("events/", include("video.urls")),  # /events/<id>/rooms/, /events/jitsi/webhook
    path("attendance/", include("attendance.urls")),
    path("attendance/", include("reports.urls")),  # /attendance/reports/, /attendance/events/<id>/reports/
    # /attendance/events/<id>/followups/, /attendance/followups/<pk>/...
    path("", include("followups.urls")),
    path("training/", include("training.urls")),
    path("school-reports/", include("schoolreports.urls")),  # forms, rounds, rollups (schools: their console)
    path("school-reports/", include("reports.school_report_urls")),  # a round's workbook and CSV
    path("", include("training.public_urls")),  # /verify/, /certificates/
    path("c/<str:token>/", include("console.urls")),  # the school console: page, downloads (API: /api/console/)
    path("", include("attendance.public_urls")),  # /a/<code> teacher check-in
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
