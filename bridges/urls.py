from django.urls import path

from . import import_views, views

app_name = "bridges"
urlpatterns = [
    path("", views.bridge_list, name="list"),
    # Before "<str:code>/" so that "import" is not taken for a bridge code.
    path("import/", import_views.import_start, name="import"),
    path("import/<int:pk>/", import_views.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/reread/", import_views.import_reread, name="import_reread"),
    path("<str:code>/", views.bridge_detail, name="detail"),
    path("<str:code>/rotate-console/", views.rotate_console, name="rotate_console"),
]
