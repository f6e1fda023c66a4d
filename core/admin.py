from django.contrib import admin

from .models import AuditEntry, Job


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "summary", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "summary", "target_id")
    date_hierarchy = "at"

    # The audit log is evidence: nobody edits or deletes it, not even from the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "done", "total", "created_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
