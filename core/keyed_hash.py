"""Django's keyed hashes and signatures, with each derived key worked out once (issue 13).

django.utils.crypto.salted_hmac derives its key anew at every call (a hash of the salt and SECRET_KEY,
then the HMAC's two padded key blocks); a teacher's check-in signs or checks four things (the QR code,
the page token, the client key, the screen code), so on the hot path the key derivations cost as much as
the hashing of the short messages themselves. Here the keyed HMAC is kept per (salt, secret, algorithm)
and copied for each message: the same bytes as Django's, so tokens signed before and after, by either,
verify alike (tests/test_keyed_hash.py checks it against Django's own functions).

- `salted_hmac`: django.utils.crypto.salted_hmac's twin;
- `dumps` / `loads`: django.core.signing.dumps / loads's, through a TimestampSigner whose signature uses
  the kept key (SECRET_KEY_FALLBACKS still verify, as Django's do).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.utils.crypto import InvalidAlgorithm
from django.utils.encoding import force_bytes

# Few distinct salts and secrets are live at once (one per open roll call for the QR codes): bounded.
_KEYS = 1024


@lru_cache(maxsize=_KEYS)
def _keyed(key_salt: bytes, secret: bytes, algorithm: str):
    hasher = getattr(hashlib, algorithm)
    return hmac.new(hasher(key_salt + secret).digest(), digestmod=hasher)


def salted_hmac(key_salt, value, secret=None, *, algorithm: str = "sha1"):
    """What django.utils.crypto.salted_hmac returns (an HMAC object over `value`), its key derived once."""
    secret = settings.SECRET_KEY if secret is None else secret
    try:
        mac = _keyed(force_bytes(key_salt), force_bytes(secret), algorithm).copy()
    except AttributeError:
        raise InvalidAlgorithm(f"{algorithm!r} is not an algorithm accepted by the hashlib module.") from None
    mac.update(force_bytes(value))
    return mac


class _TimestampSigner(signing.TimestampSigner):
    def signature(self, value, key=None):
        # django.core.signing.base64_hmac, with the key kept.
        digest = salted_hmac(self.salt + "signer", value, key or self.key, algorithm=self.algorithm).digest()
        return signing.b64_encode(digest).decode()


def dumps(obj, *, salt: str, compress: bool = False) -> str:
    """django.core.signing.dumps(obj, salt=salt, compress=compress): the same token."""
    return _TimestampSigner(salt=salt).sign_object(obj, serializer=signing.JSONSerializer, compress=compress)


def loads(token: str, *, salt: str, max_age=None):
    """django.core.signing.loads(token, salt=salt, max_age=max_age): the same answer and the same errors."""
    return _TimestampSigner(salt=salt).unsign_object(token, serializer=signing.JSONSerializer, max_age=max_age)
