"""core.keyed_hash gives Django's bytes: a token signed by one verifies by the other, keys kept or not."""

import pytest
from django.core import signing
from django.utils import crypto

from core import keyed_hash


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_salted_hmac_is_djangos_for_any_salt_secret_and_value(algorithm):
    for salt, value, secret in [("attendance.qr.s3cr3t", "12.34.5678", None), ("attendance.client", "ip|ua|đt", None),
                                (b"bytes-salt", b"bytes value", "another secret"), ("x", "", "")]:
        ours = keyed_hash.salted_hmac(salt, value, secret, algorithm=algorithm).hexdigest()
        assert ours == crypto.salted_hmac(salt, value, secret, algorithm=algorithm).hexdigest()
        # A second call (the kept key) gives the same again.
        assert keyed_hash.salted_hmac(salt, value, secret, algorithm=algorithm).hexdigest() == ours


def test_an_unknown_algorithm_is_refused_as_django_refuses_it():
    with pytest.raises(crypto.InvalidAlgorithm):
        keyed_hash.salted_hmac("salt", "value", algorithm="nope")


def test_tokens_cross_both_ways_and_expire_and_break_as_djangos(settings):
    payload = [12, 34, "page-id_x"]
    ours = keyed_hash.dumps(payload, salt="attendance.teacher-page")
    theirs = signing.dumps(payload, salt="attendance.teacher-page", compress=False)
    assert signing.loads(ours, salt="attendance.teacher-page") == payload
    assert keyed_hash.loads(theirs, salt="attendance.teacher-page") == payload
    with pytest.raises(signing.BadSignature):
        keyed_hash.loads(ours, salt="another salt")
    with pytest.raises(signing.BadSignature):
        keyed_hash.loads(ours[:-2] + ("A" if ours[-2] != "A" else "B") + ours[-1], salt="attendance.teacher-page")
    with pytest.raises(signing.SignatureExpired):
        keyed_hash.loads(ours, salt="attendance.teacher-page", max_age=-1)


def test_a_key_rotated_into_the_fallbacks_still_verifies_and_a_new_secret_signs_anew(settings):
    old = keyed_hash.dumps(["rotated"], salt="s")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a brand new secret key for this test, long enough to be one"
    assert keyed_hash.loads(old, salt="s") == ["rotated"]
    new = keyed_hash.dumps(["rotated"], salt="s")
    assert new != old and signing.loads(new, salt="s") == ["rotated"]
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(signing.BadSignature):
        keyed_hash.loads(old, salt="s")
