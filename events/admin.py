from django.contrib import admin

from .models import (
    AgendaItem,
    Event,
    Invitation,
    InvitationLetter,
    JitsiRoom,
    ParticipantGroup,
    ReadinessTest,
    Session,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class ParticipantGroupInline(admin.TabularInline):
    model = ParticipantGroup
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    # Changes through the admin skip the service rules (time checks, calendar sequence): prefer the event pages.
    list_display = ("title", "kind", "status", "starts_at", "host", "sequence")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    raw_id_fields = ("host",)
    readonly_fields = ("uid", "sequence", "created_by", "created_at", "updated_at")
    inlines = [SessionInline, ParticipantGroupInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("title", "session", "starts_at", "ends_at", "kind", "speaker")
    list_filter = ("kind",)
    list_select_related = ("session",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("bridge", "event", "status", "responded_at", "problem", "reminder_count")
    list_filter = ("status", "event")
    search_fields = ("bridge__code", "bridge__name")
    raw_id_fields = ("bridge", "room")
    list_select_related = ("bridge", "event")


@admin.register(ReadinessTest)
class ReadinessTestAdmin(admin.ModelAdmin):
    list_display = ("invitation", "at", "ok", "rtt_ms", "download_mbps", "camera_ok", "microphone_ok",
                    "jitsi_reachable")
    list_filter = ("ok",)
    raw_id_fields = ("invitation",)
    list_select_related = ("invitation__bridge", "invitation__event")


@admin.register(JitsiRoom)
class JitsiRoomAdmin(admin.ModelAdmin):
    list_display = ("label", "name", "event", "interactive", "capacity")
    list_filter = ("event",)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "starts_at", "ends_at", "counts_for_completion")
    list_filter = ("counts_for_completion",)
    list_select_related = ("event",)


@admin.register(ParticipantGroup)
class ParticipantGroupAdmin(admin.ModelAdmin):
    list_display = ("event", "tier", "description")
    list_select_related = ("event", "tier")


@admin.register(InvitationLetter)
class InvitationLetterAdmin(admin.ModelAdmin):
    # Organizers edit the letter on the event's page (with a preview); the admin is for support.
    list_display = ("event", "issuer", "number", "signer_name")
    list_select_related = ("event",)
