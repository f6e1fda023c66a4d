from django.contrib import admin

from .models import PresenceEvent


@admin.register(PresenceEvent)
class PresenceEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "room_name", "bridge", "occupant_id")
    list_filter = ("kind",)
    raw_id_fields = ("event", "bridge")
