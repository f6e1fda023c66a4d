from django.urls import path

from . import views

app_name = "bridges"
urlpatterns = [
    path("", views.bridge_list, name="list"),
    path("<str:code>/", views.bridge_detail, name="detail"),
    path("<str:code>/rotate-console/", views.rotate_console, name="rotate_console"),
]
