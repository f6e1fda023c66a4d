"""TCVN3 (ABC), the font-based Vietnamese encoding of the 1990s that offices still type in (.VnTime fonts).

No maintained Python library decodes it, so its table lives here as data: the TCVN 5712:1993 "ABC"
single-byte set, which puts the Vietnamese letters on bytes 0xA1-0xFE. A text file saved from such a
document holds those bytes; a workbook typed in a .VnTime font holds the Latin-1 characters of the same
bytes ("NguyÔn V¨n An"). Both are turned into Unicode here, then NFC by normalize.text as every cell is.

Capital toned vowels had no place in the set: offices typed them in the matching capital font
(.VnTimeH) with the lowercase codes. A cell whose plain letters are all capitals is therefore written
in capitals ("NGUYÔN" -> "NGUYỄN"), any other cell as typed.
"""

import unicodedata

# Each group: the base letter's code for no tone, then grave, hook, tilde, acute, dot below. The letters
# follow in the same order in Unicode, so the table is built, not typed twice.
_TONED = (
    ("a", "\u00b5\u00b6\u00b7\u00b8\u00b9"),
    ("ă", "\u00bb\u00bc\u00bd\u00be\u00c6"),
    ("â", "\u00c7\u00c8\u00c9\u00ca\u00cb"),
    ("e", "\u00cc\u00ce\u00cf\u00d0\u00d1"),
    ("ê", "\u00d2\u00d3\u00d4\u00d5\u00d6"),
    ("i", "\u00d7\u00d8\u00dc\u00dd\u00de"),
    ("o", "\u00df\u00e1\u00e2\u00e3\u00e4"),
    ("ô", "\u00e5\u00e6\u00e7\u00e8\u00e9"),
    ("ơ", "\u00ea\u00eb\u00ec\u00ed\u00ee"),
    ("u", "\u00ef\u00f1\u00f2\u00f3\u00f4"),
    ("ư", "\u00f5\u00f6\u00f7\u00f8\u00f9"),
    ("y", "\u00fa\u00fb\u00fc\u00fd\u00fe"),
)
# Combining marks in the order of the groups above: grave, hook above, tilde, acute, dot below.
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
# Letters that have their own code, lowercase and the few capitals the set holds.
_LETTERS = {
    "\u00a8": "ă", "\u00a9": "â", "\u00aa": "ê", "\u00ab": "ô", "\u00ac": "ơ", "\u00ad": "ư", "\u00ae": "đ",
    "\u00a1": "Ă", "\u00a2": "Â", "\u00a3": "Ê", "\u00a4": "Ô", "\u00a5": "Ơ", "\u00a6": "Ư", "\u00a7": "Đ",
}


def _build() -> dict[str, str]:
    table = dict(_LETTERS)
    for base, codes in _TONED:
        for code, tone in zip(codes, _TONES, strict=True):
            table[code] = unicodedata.normalize("NFC", base + tone)
    return table


TABLE = _build()
_TRANSLATE = str.maketrans(TABLE)


def _vietnamese_letters() -> set[str]:
    letters = set("abcdefghijklmnopqrstuvwxyzđ")
    for base in "aăâeêioôơuưy":
        letters.add(base)
        letters.update(unicodedata.normalize("NFC", base + tone) for tone in _TONES)
    return letters | {ch.upper() for ch in letters}


# Characters of the TCVN3 set that no Unicode Vietnamese text holds ("µ", "¸", "¶", "¨", "©", "®" …):
# many of them in a text mean it was typed in TCVN3.
_LETTERS_AND_TONES = _vietnamese_letters() | set(_TONES)
MARKERS = frozenset(ch for ch in TABLE if ch not in _LETTERS_AND_TONES)
# In a text file the other candidate is Windows-1258, whose bytes carry letters and combining tones
# where TCVN3 has others (0xD0 is "Đ" there): only bytes that are neither in Windows-1258 are markers.
MARKER_BYTES = frozenset(
    ord(ch) for ch in MARKERS if bytes([ord(ch)]).decode("cp1258", errors="replace") not in _LETTERS_AND_TONES
)


def _mostly_markers(high: list, markers: int) -> bool:
    return markers >= 2 and markers * 3 >= len(high)


def looks_like_tcvn3(text: str) -> bool:
    """True when the non-ASCII characters of a text are mostly TCVN3 codes that Unicode Vietnamese never uses."""
    high = [ch for ch in text if ord(ch) > 0x7F]
    return _mostly_markers(high, sum(1 for ch in high if ch in MARKERS))


def bytes_look_like_tcvn3(raw: bytes) -> bool:
    """The same test on the bytes of a text file that is not UTF-8 (a sample is enough)."""
    high = [b for b in raw[:200_000] if b > 0x7F]
    return _mostly_markers(high, sum(1 for b in high if b in MARKER_BYTES))


def decode_cell(value: str) -> str:
    """A cell typed in a TCVN3 font, as Unicode."""
    decoded = value.translate(_TRANSLATE)
    if decoded == value:
        return value
    plain = [ch for ch in value if ch.isascii() and ch.isalpha()]
    if len(plain) >= 2 and all(ch.isupper() for ch in plain):
        return decoded.upper()
    return _capitalise_like_neighbours(value, decoded)


def _capitalise_like_neighbours(typed: str, decoded: str) -> str:
    """A capital toned vowel at the start of a word ("Ánh") was one letter in the capital font, so it arrives
    as the lowercase code: when every other word of the cell starts with a capital, so does this one."""
    typed_words, words = typed.split(" "), decoded.split(" ")
    if len(words) != len(typed_words) or len(words) < 2:
        return decoded
    others = [w for t, w in zip(typed_words, words, strict=True) if t and t[0].isascii() and t[0].isalpha()]
    if not others or not all(w[0].isupper() for w in others):
        return decoded
    return " ".join(w[:1].upper() + w[1:] if t and t[0] in TABLE else w
                    for t, w in zip(typed_words, words, strict=True))


def decode_bytes(raw: bytes) -> str:
    """A TCVN3 text file: bytes below 0x80 are ASCII; the others are the set's letters."""
    return "\n".join(decode_cell(line) for line in raw.decode("latin-1").split("\n"))
