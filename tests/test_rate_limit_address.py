"""A request without a client address is rate-limited in one shared bucket, not answered with a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_verify_without_remote_addr_is_not_a_500():
    client = Client(REMOTE_ADDR="")
    response = client.get("/api/training/verify/ABC-123")
    assert response.status_code < 500
