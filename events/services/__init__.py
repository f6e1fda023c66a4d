"""Business rules of events, one module per concern. Views, API, consumers and commands call these."""

from .console import (
    console_confirm,
    console_decline,
    console_invitations,
    console_update_contacts,
)
from .invitations import (
    InviteResult,
    invite_bridges,
    invite_preview,
    parse_code_file,
    parse_code_text,
    resolve_codes,
)
from .readiness import (
    DOWNLOAD_MIN_MBPS,
    RTT_MAX_MS,
    ReadinessSummary,
    evaluate_readiness,
    parse_readiness,
    readiness_summary,
    record_readiness,
)
from .reminders import reminder_preview, reminder_targets, send_reminders, start_reminders
from .schedule import (
    TRANSITIONS,
    add_agenda_item,
    add_session,
    create_event,
    delete_agenda_item,
    delete_session,
    local_text,
    require_editable,
    restore_agenda_item,
    set_participant_groups,
    set_status,
    update_agenda_item,
    update_event,
    update_session,
)

__all__ = [
    "DOWNLOAD_MIN_MBPS", "RTT_MAX_MS", "TRANSITIONS", "InviteResult", "ReadinessSummary",
    "add_agenda_item", "add_session", "console_confirm", "console_decline", "console_invitations",
    "console_update_contacts", "create_event", "delete_agenda_item", "delete_session",
    "evaluate_readiness", "invite_bridges", "invite_preview", "local_text", "parse_code_file", "parse_code_text",
    "parse_readiness", "reminder_preview", "restore_agenda_item", "readiness_summary", "record_readiness", "reminder_targets", "require_editable",
    "resolve_codes", "send_reminders", "set_participant_groups", "set_status", "start_reminders",
    "update_agenda_item", "update_event", "update_session"
]
