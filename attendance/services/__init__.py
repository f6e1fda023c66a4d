"""Attendance business rules, one module per concern.

Write side: consoles (which event a console works for), qr (signed rotating roll-call codes),
idempotency (client nonces), timing (client clocks), bridge_checkin, rollcall, checkin (people
recorded at roll calls), console_writes (the writes a console may queue), connections
(console/video connection intervals).
"""
