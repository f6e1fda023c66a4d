"""Evidence views for administrators. Rows are written by the services (with their audit and
notifications), so attempts, nonces and intervals are read-only here."""

from django.contrib import admin

from .models import BridgeCheckIn, CheckIn, CheckInAttempt, ClientNonce, ConnectionInterval, Launch, RollCall


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollCall)
class RollCallAdmin(admin.ModelAdmin):
    list_display = ("label", "session", "opened_at", "closes_at", "closed_at", "window_seconds")
    list_select_related = ("session",)
    raw_id_fields = ("session", "opened_by")
    date_hierarchy = "opened_at"


@admin.register(BridgeCheckIn)
class BridgeCheckInAdmin(admin.ModelAdmin):
    list_display = ("event", "bridge", "checked_in_at", "method", "headcount", "headcount_at")
    list_filter = ("method",)
    search_fields = ("bridge__code", "bridge__name")
    raw_id_fields = ("event", "bridge")
    list_select_related = ("event", "bridge")


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ("roll_call", "person", "bridge", "foreign", "same_client", "at", "received_at", "method",
                    "recorded_by")
    list_filter = ("method", "foreign", "same_client")
    search_fields = ("person__full_name", "person__teacher_id", "bridge__code")
    raw_id_fields = ("roll_call", "person", "bridge")
    list_select_related = ("roll_call", "person", "bridge")


@admin.register(CheckInAttempt)
class CheckInAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "outcome", "method", "roll_call", "bridge", "person", "identifier", "reason", "ip")
    list_filter = ("outcome", "method")
    search_fields = ("identifier", "bridge__code", "person__full_name", "nonce")
    raw_id_fields = ("roll_call", "bridge", "person", "checkin")
    list_select_related = ("roll_call", "bridge", "person")
    date_hierarchy = "at"


@admin.register(ClientNonce)
class ClientNonceAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "scope", "nonce", "status_code")
    search_fields = ("scope", "nonce")


@admin.register(ConnectionInterval)
class ConnectionIntervalAdmin(ReadOnlyAdmin):
    list_display = ("event", "bridge", "source", "started_at", "last_seen_at", "ended_at")
    list_filter = ("source",)
    search_fields = ("bridge__code",)
    raw_id_fields = ("event", "bridge")
    list_select_related = ("event", "bridge")


@admin.register(Launch)
class LaunchAdmin(ReadOnlyAdmin):
    list_display = ("event", "pressed_at", "at", "pressed_by")
    raw_id_fields = ("event",)
