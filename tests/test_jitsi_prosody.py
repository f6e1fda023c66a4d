"""The Jitsi side as documented (docs/JITSI.md) against the project: its example prosody configuration is
parsed, and our room tokens are verified the way prosody does it (jitsi-meet
resources/prosody-plugins/token/util.lib.lua with luajwtjitsi, mod_token_verification's room check,
jitsi-contrib's token_affiliation), signature and times by PyJWT."""

import re
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from django.urls import resolve, reverse
from django.utils import timezone

from bridges.models import Role
from events.models import Event, Invitation
from video import owners, room_plan, tokens, views

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parent.parent / "docs" / "JITSI.md"
SECRET = "test-jitsi-app-secret-0123456789abcdef"


# --- the documented configuration -------------------------------------------------------------

def lua_block() -> str:
    match = re.search(r"```lua\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/JITSI.md has no ```lua example"
    return match.group(1)


def _value(text: str):
    text = text.strip().rstrip(";,")
    if text.startswith("{"):
        inner = text.strip("{}")
        pairs = re.findall(r'\[\s*"([^"]+)"\s*\]\s*=\s*"([^"]*)"', inner)
        if pairs:
            return dict(pairs)
        return re.findall(r'"([^"]*)"', inner)
    if text in ("true", "false"):
        return text == "true"
    return text.strip('"')


def parse_prosody(text: str) -> dict[str, dict]:
    """Hosts and components ("VirtualHost x" / "Component x type") with their options, as prosody reads
    them for this simple form: `key = "v"`, `key = true`, `key = { "a"; "b" }`, `key = { ["K"] = "v"; }`."""
    text = re.sub(r"--[^\n]*", "", text)
    sections: dict[str, dict] = {}
    current = None
    pending, buffer = None, ""
    for line in text.splitlines():
        if pending is not None:
            buffer += " " + line.strip()
            if "}" in line:
                sections[current][pending] = _value(buffer)
                pending, buffer = None, ""
            continue
        header = re.match(r'\s*(VirtualHost|Component)\s+"([^"]+)"(?:\s+"([^"]+)")?\s*$', line)
        if header:
            current = header.group(2)
            sections[current] = {"_kind": header.group(1), "_type": header.group(3) or ""}
            continue
        option = re.match(r"\s*(\w+)\s*=\s*(.*)$", line)
        if option and current is not None:
            key, rest = option.groups()
            if rest.strip().startswith("{") and "}" not in rest:
                pending, buffer = key, rest.strip()
            else:
                sections[current][key] = _value(rest)
    return sections


@pytest.fixture(scope="module")
def prosody() -> dict[str, dict]:
    return parse_prosody(lua_block())


def virtual_host(prosody: dict) -> tuple[str, dict]:
    hosts = [(name, opts) for name, opts in prosody.items() if opts["_kind"] == "VirtualHost"]
    assert len(hosts) == 1
    return hosts[0]


def event_sync(prosody: dict) -> dict:
    found = [opts for opts in prosody.values() if opts["_type"] == "event_sync_component"]
    assert len(found) == 1
    return found[0]


def test_the_example_matches_the_project_settings(prosody):
    domain, host = virtual_host(prosody)
    assert domain == settings.JITSI_DOMAIN.lower()
    assert host["authentication"] == "token"
    # What tokens.py emits as iss and aud is what this prosody accepts.
    assert host["app_id"] == settings.JITSI_APP_ID
    assert settings.JITSI_APP_ID in host.get("asap_accepted_issuers", [host["app_id"]])
    assert tokens.audience() in host["asap_accepted_audiences"]
    assert host["app_secret"] == "<JITSI_APP_SECRET>" and host["allow_empty_token"] is False
    conference = prosody[f"conference.{domain}"]
    assert conference["_type"] == "muc"
    assert {"token_verification", "token_affiliation"} <= set(conference["modules_enabled"])


def test_event_sync_is_wired_to_both_mucs_and_our_webhook(prosody):
    domain, _host = virtual_host(prosody)
    sync = event_sync(prosody)
    for option in ("muc_component", "breakout_component"):
        assert prosody[sync[option]]["_type"] == "muc", option  # a component of the same file
    assert sync["muc_component"] == f"conference.{domain}"
    assert sync["breakout_component"] == f"breakout.{domain}"
    assert sync["api_headers"] == {"Authorization": "Bearer <JITSI_WEBHOOK_SECRET>"}
    prefix = sync["api_prefix"]
    assert prefix.startswith("https://") and prefix.endswith(reverse("video:jitsi_webhook"))
    # The URLs event_sync builds from api_prefix reach the webhook view, each for its event.
    path = "/" + prefix.split("://", 1)[1].split("/", 1)[1]
    for suffix in ("room/created", "room/destroyed", "occupant/joined", "occupant/left"):
        match = resolve(f"{path}/events/{suffix}")
        assert match.func is views.jitsi_webhook and (match.kwargs["subject"], match.kwargs["action"]) == tuple(
            suffix.split("/"))


# --- prosody's token check ----------------------------------------------------------------------

class Rejected(Exception):
    pass


def prosody_accepts(token: str, host: dict, room_jid: str, secret: str) -> dict:
    """The claims if prosody's token authentication and MUC join check accept the token, else Rejected."""
    header = jwt.get_unverified_header(token)
    if header.get("typ") not in ("JWT", "JOSE") or not isinstance(header.get("alg"), str):
        raise Rejected("Invalid typ or alg")
    try:
        # luajwtjitsi: signature; exp and nbf are numbers, now < exp and now >= nbf (no leeway).
        claims = jwt.decode(token, secret, algorithms=[header["alg"]],
                            options={"verify_aud": False, "verify_iss": False, "verify_iat": False})
    except jwt.InvalidTokenError as exc:
        raise Rejected(str(exc)) from None
    for field in ("exp", "nbf"):
        if field in claims and not isinstance(claims[field], int | float):
            raise Rejected(f"{field} must be number")
    issuers = host.get("asap_accepted_issuers", [host["app_id"]])
    if "*" not in issuers and claims.get("iss") not in issuers:
        raise Rejected("Invalid issuer ('iss' claim)")
    if host.get("asap_require_room_claim", True) and "room" not in claims:
        raise Rejected("'room' claim is missing")
    if "aud" not in claims:
        raise Rejected("'aud' claim is missing")
    audiences = host.get("asap_accepted_audiences", ["*"])
    if "*" not in audiences and claims["aud"] not in audiences:
        raise Rejected("Invalid audience ('aud' claim)")
    # mod_token_verification on join: the room node against the room claim (and sub, with domain verification).
    node, _at, _muc = room_jid.partition("@")
    room = claims["room"]
    if host.get("enable_domain_verification"):
        expected = f"{room.lower()}@conference.{claims['sub'].lower()}" if room != "*" else None
        if expected is not None and room_jid != expected:
            raise Rejected("Room and token mismatched")
    elif room != "*" and node != room.lower():
        raise Rejected("Room and token mismatched")
    return claims


def token_affiliation(claims: dict) -> str:
    """What jitsi-contrib's mod_token_affiliation sets for the occupant."""
    user = (claims.get("context") or {}).get("user") or {}
    if user.get("affiliation") in ("owner", "moderator", "teacher") or user.get("moderator") in ("true", True):
        return "owner"
    return "member"


@pytest.fixture
def jitsi(settings):
    settings.JITSI_APP_SECRET = SECRET
    return settings


@pytest.fixture
def event(small_tree):
    now = timezone.now()
    ev = Event.objects.create(title="Tập huấn", host=small_tree["host"], status=Event.Status.LIVE,
                              starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=3))
    for bridge in small_tree.values():
        Invitation.objects.create(event=ev, bridge=bridge)
    room_plan.auto_plan(ev)
    return ev


def muc_jid(prosody: dict, room: str) -> str:
    return f"{room}@{event_sync(prosody)['muc_component']}"


@pytest.mark.usefixtures("jitsi")
def test_prosody_accepts_our_tokens_and_makes_the_owners_moderators(prosody, event, small_tree, make_user):
    _domain, host = virtual_host(prosody)
    main, bs_room = f"diemcau-{event.pk}-main", f"diemcau-{event.pk}-bs-1"
    cases = [
        (tokens.token_for(event, small_tree["host"])[1], main, "owner"),
        (tokens.token_for(event, small_tree["TN"])[1], main, "member"),
        (tokens.token_for(event, small_tree["BS-S1"])[1], bs_room, "member"),
        (tokens.token_for(event, small_tree["BS"], room=bs_room)[1], bs_room, "owner"),
    ]
    officer = make_user("tn_officer", Role.Kind.DISTRICT_OFFICER, scope=small_tree["TN"])
    tn_room = event.rooms.get(name=f"diemcau-{event.pk}-tn-1")
    owners.set_owner(tn_room, user=officer)
    cases.append((tokens.account_join_info(event, officer, tn_room.name)["jwt"], tn_room.name, "owner"))
    for token, room, affiliation in cases:
        claims = prosody_accepts(token, host, muc_jid(prosody, room), SECRET)
        assert token_affiliation(claims) == affiliation, (room, claims["context"]["user"])
        # And a token is for its own room only.
        with pytest.raises(Rejected, match="mismatched"):
            prosody_accepts(token, host, muc_jid(prosody, f"diemcau-{event.pk}-tn-2"), SECRET)


@pytest.mark.usefixtures("jitsi")
def test_prosody_rejects_what_it_should(prosody, event, small_tree, settings):
    """The check above is not a formality: each claim prosody verifies, broken, is refused."""
    _domain, host = virtual_host(prosody)
    room = f"diemcau-{event.pk}-bs-1"
    granted = tokens.room_pass(event, small_tree["BS-S1"])
    good = tokens.claims_for(granted)
    prosody_accepts(tokens.sign(good), host, muc_jid(prosody, room), SECRET)
    now = int(timezone.now().timestamp())
    broken = {
        "another audience": good | {"aud": "someone-else"},
        "another issuer": good | {"iss": "someone-else"},
        "no room claim": {k: v for k, v in good.items() if k != "room"},
        "expired": good | {"exp": now - 1},
        "not yet valid": good | {"nbf": now + 600},
        "another domain": good | {"sub": "meet.other.example"},
    }
    for name, claims in broken.items():
        try:
            prosody_accepts(tokens.sign(claims), host, muc_jid(prosody, room), SECRET)
        except Rejected:
            continue
        pytest.fail(f"accepted a token with {name}")
    with pytest.raises(Rejected, match="Signature"):
        prosody_accepts(tokens.sign(good), host, muc_jid(prosody, room), "another-secret-of-enough-length-0000")
    # A deployment whose audience differs from JITSI_AUDIENCE rejects our tokens: the setting must match.
    settings.JITSI_AUDIENCE = "not-listed"
    with pytest.raises(Rejected, match="audience"):
        prosody_accepts(tokens.token_for(event, small_tree["BS-S1"])[1], host, muc_jid(prosody, room), SECRET)
