from django.contrib import admin

from .models import (
    FormVersion,
    ReportAnswer,
    ReportForm,
    ReportReminder,
    ReportRound,
    ReportSubmission,
    RoundSeries,
)


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    list_display = ("title", "template_key", "updated_at")


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    list_display = ("form", "number", "created_at")


@admin.register(ReportRound)
class ReportRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "form", "deadline", "closed_at", "audience")


@admin.register(RoundSeries)
class RoundSeriesAdmin(admin.ModelAdmin):
    list_display = ("title", "form", "frequency", "starts_on", "active")


@admin.register(ReportAnswer)
class ReportAnswerAdmin(admin.ModelAdmin):
    list_display = ("round", "bridge", "status", "late", "submitted_at", "updated_at")
    list_filter = ("status", "late")
    raw_id_fields = ("bridge",)


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(admin.ModelAdmin):
    list_display = ("answer", "at", "typed_by", "actor_label", "late")


@admin.register(ReportReminder)
class ReportReminderAdmin(admin.ModelAdmin):
    list_display = ("round", "bridge", "at", "emailed")
