"""The certificate number format is a small template language (training.number_format), not str.format:
{seq}, {seq:0Nd} (N <= 9), {year}, {event} and text; anything else refused at save time, on the page and in
the API, with a message naming the placeholder (in Vietnamese by default)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event
from training import number_format, services
from training.models import CertificateTemplate

pytestmark = pytest.mark.django_db

BAD = ["{seq.__class__.__mro__}", "{seq!r}", "{seq:>99999999}", "{seq:010d}", "{0}", "{}", "{name}",
       "{seq:04x}", "{year.real}", "GCN {", "GCN }", "{{seq}}"]


@pytest.fixture
def training(small_tree):
    now = timezone.now()
    return Event.objects.create(title="Tập huấn", kind=Event.Kind.TRAINING, status=Event.Status.PUBLISHED,
                                host=small_tree["host"], starts_at=now, ends_at=now + timedelta(hours=3))


@pytest.mark.parametrize("fmt, number", [
    ("{seq}/GCN-STTTT", "7/GCN-STTTT"),
    ("{seq:04d}/{year}", "0007/2026"),
    ("{seq:09d}", "000000007"),
    ("{seq:01d}", "7"),
    ("TH{event}-{seq:03d}", "TH42-007"),
    ("Số {seq} năm {year}", "Số 7 năm 2026"),
])
def test_allowed_formats_render(fmt, number):
    assert services.format_number(services.check_number_format(fmt), 7, 2026, 42) == number


@pytest.mark.parametrize("fmt", BAD)
def test_anything_else_is_refused_naming_it(fmt):
    with translation.override("en"), pytest.raises(number_format.BadNumberFormat) as refused:
        services.check_number_format(fmt)
    token = refused.value.message.split("cannot contain ", 1)[-1].split(":", 1)[0]
    assert token in fmt, refused.value.message  # the very placeholder that is not allowed


def test_a_format_without_seq_is_refused():
    with translation.override("en"), pytest.raises(number_format.BadNumberFormat, match=r"must contain \{seq\}"):
        services.check_number_format("GCN-{year}")


def test_the_api_refuses_it_at_save_time_and_saves_nothing(client, organizer, training):
    client.force_login(organizer)
    body = {"issuer": "SỞ GD&ĐT", "title": "GIẤY CHỨNG NHẬN", "completion_text": "Đã hoàn thành",
            "signer_title": "GIÁM ĐỐC", "number_format": "{seq.__class__.__mro__}/GCN"}
    refused = client.put(f"/api/training/events/{training.pk}/template", data=body, content_type="application/json")
    assert refused.status_code == 400
    answer = refused.json()
    assert "{seq.__class__.__mro__}" in answer["detail"] and "Định dạng số" in answer["detail"]  # Vietnamese
    assert not CertificateTemplate.objects.filter(event=training).exists()
    body["number_format"] = "{seq:04d}/GCN-{year}"
    assert client.put(f"/api/training/events/{training.pk}/template", data=body,
                      content_type="application/json").status_code == 200
    assert CertificateTemplate.objects.get(event=training).number_format == "{seq:04d}/GCN-{year}"


def test_the_page_refuses_it_at_save_time(client, organizer, training):
    client.force_login(organizer)
    page = client.post(reverse("training:template", args=[training.pk]), {
        "issuer": "SỞ GD&ĐT", "title": "GIẤY CHỨNG NHẬN", "completion_text": "Đã hoàn thành",
        "signer_title": "GIÁM ĐỐC", "number_format": "{seq:>99999999}"})
    assert page.status_code == 200  # the form again, with the error
    assert "{seq:&gt;99999999}" in page.content.decode()
    assert not CertificateTemplate.objects.filter(event=training).exists()
