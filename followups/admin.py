from django.contrib import admin

from .models import FollowUpAnswer, FollowUpForm, FollowUpReminder


@admin.register(FollowUpForm)
class FollowUpFormAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "deadline", "closed_at", "created_at")
    list_select_related = ("event",)


@admin.register(FollowUpAnswer)
class FollowUpAnswerAdmin(admin.ModelAdmin):
    list_display = ("bridge", "form", "students_trained", "classes_held", "teachers_led", "late", "submitted_at")
    list_filter = ("late", "form")
    raw_id_fields = ("bridge",)
    list_select_related = ("bridge", "form")


@admin.register(FollowUpReminder)
class FollowUpReminderAdmin(admin.ModelAdmin):
    list_display = [field.name for field in FollowUpReminder._meta.fields]
