"""Tests of survey.uploads: the size cap of uploaded files and the handler that applies it."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from survey.models import Invitation
from survey.uploads import CappedUploadHandler, FileSizeValidator, form_upload_caps, size_text


class CappedForm(forms.Form):
    file = forms.FileField(validators=[FileSizeValidator("TEST_UPLOAD_CAP", "Split it.")])
    other = forms.FileField(required=False)


def multipart_request(**files: bytes):
    data = {name: SimpleUploadedFile(f"{name}.csv", content) for name, content in files.items()}
    return RequestFactory().post("/", data=data)


def test_the_validator_refuses_a_file_over_the_cap_with_its_size(settings):
    settings.TEST_UPLOAD_CAP = 10
    validator = FileSizeValidator("TEST_UPLOAD_CAP", "Split it.")
    validator(SimpleUploadedFile("a.csv", b"x" * 10))
    with pytest.raises(ValidationError) as raised:
        validator(SimpleUploadedFile("a.csv", b"x" * 11))
    assert raised.value.messages == [
        "This file is 11 bytes; at most 10 bytes can be uploaded here. Split it."
    ]
    assert raised.value.code == "file_too_large"


def test_sizes_read_as_people_say_them():
    assert size_text(1000) == "1000 bytes"
    assert size_text(20 * 1024 * 1024) == "20.0 MB"


def test_the_caps_of_a_form_come_from_its_validators(settings):
    settings.TEST_UPLOAD_CAP = 123
    assert form_upload_caps(CappedForm) == {"file": 123}


def test_the_handler_keeps_no_byte_of_a_file_over_the_cap_but_its_size(settings):
    settings.TEST_UPLOAD_CAP = 1000
    request = multipart_request(file=b"y" * 5000, other=b"z" * 5000)
    request.upload_handlers.insert(0, CappedUploadHandler(request, {"file": 1000}))
    over, other = request.FILES["file"], request.FILES["other"]

    assert (over.name, over.size, over.read()) == ("file.csv", 5000, b"")
    assert other.read() == b"z" * 5000  # a field without a cap is untouched
    form = CappedForm(request.POST, request.FILES)
    assert not form.is_valid()
    assert "This file is 4.9 KB; at most 1000 bytes" in form.errors["file"][0]


def test_the_handler_passes_a_file_within_the_cap_on_whole():
    request = multipart_request(file=b"y" * 1000)
    request.upload_handlers.insert(0, CappedUploadHandler(request, {"file": 1000}))
    assert request.FILES["file"].read() == b"y" * 1000


@pytest.mark.django_db
def test_a_capped_upload_still_checks_the_csrf_token(admin_user, survey_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = reverse("survey:manage_invitees", kwargs={"slug": survey_round.slug})
    content = b"email\na@example.org\n"
    response = client.post(url, {"file": SimpleUploadedFile("i.csv", content)})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
