from django.contrib import admin

from .models import FollowUpAnswer, FollowUpForm, FollowUpReminder


@admin.register(FollowUpForm)
class FollowUpFormAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "deadline", "closed_at", "round", "created_at")
    list_select_related = ("event", "round")
    readonly_fields = ("round",)

    def save_model(self, request, obj, form, change):
        from . import services  # not at import time: admin modules load before the apps' services

        super().save_model(request, obj, form, change)
        services.link_round(obj, request=request)  # a form added here is answered on its engine round too


class ReadOnly(admin.ModelAdmin):
    """Rows from before the report engine (migrated into it by followups 0004): shown, never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUpAnswer)
class FollowUpAnswerAdmin(ReadOnly):
    list_display = ("bridge", "form", "students_trained", "classes_held", "teachers_led", "late", "submitted_at")
    list_filter = ("late", "form")
    raw_id_fields = ("bridge",)
    list_select_related = ("bridge", "form")


@admin.register(FollowUpReminder)
class FollowUpReminderAdmin(ReadOnly):
    list_display = [field.name for field in FollowUpReminder._meta.fields]
