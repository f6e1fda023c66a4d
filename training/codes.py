"""Certificate verification codes: 60 random bits in Crockford base 32 with a Luhn mod 32 check character.

Crockford's alphabet has no I, L, O or U, so a code read aloud or copied by hand cannot confuse 1/I/L
or 0/O. Luhn mod N over the same alphabet catches every single mistyped character and most swaps of
neighbours while keeping the check character speakable (Crockford's own mod-37 check adds * ~ $ = U).
"""

import re
import secrets

from stdnum import luhn

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_LENGTH = 12  # 12 x 5 = 60 bits
LENGTH = DATA_LENGTH + 1

# Forgiving input: what people type for what they see.
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


class MalformedCode(ValueError):
    """Not a code at all (wrong length or characters)."""


class BadCheckCharacter(ValueError):
    """Looks like a code, but the check character does not match: forged or mistyped."""


def new_code() -> str:
    value = secrets.randbits(5 * DATA_LENGTH)
    data = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(DATA_LENGTH))
    return data + luhn.calc_check_digit(data, alphabet=ALPHABET)


def normalize(raw: str) -> str:
    """The canonical code (13 characters, no dashes) for what someone typed; raises on a bad one."""
    text = _SEPARATORS.sub("", (raw or "").upper()).translate(_TYPO)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        raise MalformedCode(raw)
    if not luhn.is_valid(text, alphabet=ALPHABET):
        raise BadCheckCharacter(raw)
    return text


def display(code: str) -> str:
    """XXXX-XXXX-XXXX-X: groups of four are easy to read aloud and to compare."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
