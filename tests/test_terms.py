"""One word per concept, in Vietnamese as the pages show it.

Lời mời is an invitation (a bridge invited to an event), Giấy mời the letter (the PDF), Mời the verb.
Where one English word carries two meanings, a context (pgettext) gives each its own Vietnamese word.
The compiled catalogue is read through Django's own gettext, and the pages through the test client.
"""

import json
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from events.models import Event

PO = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"

# (context, English): each pair is one English word with two meanings; the two must read differently.
TWO_MEANINGS = [
    (("connection", "live"), (None, "live")),  # the board's connection / the event's status
    (("job status", "failed"), (None, "failed")),  # a background job / a readiness test
    (("person", "name"), (None, "name")),  # a certificate holder's full name / a bridge's name
    (("certificate holder", "Person"), (None, "Person")),  # the holder / the person of a check-in attempt
]


def _vi(context, message):
    with translation.override("vi"):
        return pgettext(context, message) if context else gettext(message)


@pytest.mark.parametrize(("first", "second"), TWO_MEANINGS)
def test_a_word_with_two_meanings_reads_as_two_words(first, second):
    one, other = _vi(*first), _vi(*second)
    assert one != first[1] and other != second[1], "both meanings are translated"
    assert one != other, (first, second, one)


def test_the_contexts_say_what_is_meant():
    assert _vi("connection", "live") == "đã kết nối"
    assert _vi(None, "live") == "đang diễn ra"
    assert _vi("roll call state", "open") == "đang mở"
    assert _vi("event part", "session") == "phiên"
    assert _vi("job status", "failed") == "thất bại"


def test_the_board_pill_does_not_say_the_event_is_under_way(client, small_tree, organizer):
    """Days before the event the board is connected, not "đang diễn ra"."""
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(title="Lễ phát động", status=Event.Status.PUBLISHED, host=small_tree["host"],
                                 starts_at=start, ends_at=start + timedelta(hours=2))
    client.force_login(organizer)
    page = client.get(f"/attendance/events/{event.pk}/board/").content.decode()
    strings = json.loads(unescape(re.search(r'id="board-i18n"[^>]*>(.*?)</script>', page, re.S).group(1)))
    assert strings["connection"]["live"] == "đã kết nối"
    assert "đang diễn ra" not in json.dumps(strings, ensure_ascii=False)
    # board.js writes the pill from these words, by connection state.
    script = (Path(__file__).resolve().parent.parent / "static" / "js" / "board.js").read_text()
    assert "T.connection[state]" in script and 'setStatus("live")' in script


def _catalogue():
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block:
            continue
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0].split("msgid ", 1)[-1], re.M))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[1])) if "msgstr" in block else ""
        if msgid:
            entries.append((msgid, msgstr))
    return entries


def test_the_catalogue_has_one_word_for_the_letter_and_one_for_the_invitation():
    entries = _catalogue()
    retired = [msgid for msgid, msgstr in entries if "thư mời" in msgstr.lower()]
    assert not retired, f"“thư mời” is neither Lời mời nor Giấy mời: {retired}"
    letters = [(msgid, msgstr) for msgid, msgstr in entries if re.search(r"\bletters?\b", msgid, re.I)
               and "mời" not in msgid.lower() and "character" not in msgid.lower()]
    for msgid, msgstr in letters:
        if "invitation" in msgid.lower() or msgid.lower().startswith(("letter", "generate all letters")):
            assert "giấy mời" in msgstr.lower(), (msgid, msgstr)
    declined = [msgstr for msgid, msgstr in entries if msgid in ("This bridge declined the invitation.",
                                                                 "Bridge %(code)s declined the invitation.")]
    assert declined and all("lời mời" in msgstr for msgstr in declined)


def test_the_pages_name_invitations_letters_and_inviting_apart(client, small_tree, organizer):
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(title="Lễ phát động", status=Event.Status.PUBLISHED, host=small_tree["host"],
                                 starts_at=start, ends_at=start + timedelta(hours=2))
    client.force_login(organizer)
    detail = client.get(f"/events/{event.pk}/").content.decode()
    tabs = dict(re.findall(r'<a[^>]*href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', detail))
    labels = {url.rstrip("/").rsplit("/", 1)[-1]: label for url, label in tabs.items() if f"/events/{event.pk}/" in url}
    assert "Lời mời" in labels.values() and "Giấy mời" in labels.values() and "Mời" in labels.values(), labels
    letters = next(url for url, label in tabs.items() if label == "Giấy mời")
    page = client.get(letters).content.decode()
    assert "Gửi lời mời qua email" in page and "Tạo tất cả giấy mời" in page and "thư mời" not in page.lower()
