"""Tests of survey.emails: checking the invitation and reminder texts admins write."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from survey.emails import email_template_check

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hello, please answer.", "must contain {{ link }}"),
        ("Go to {{ lnk }}", "Unknown placeholder lnk"),
        ("{{ link }} {% if closes %}", "not valid template syntax"),
        ('{{ link }} {% include "base.html" %}', "Only the placeholders"),
        ("{{ link }} {% load static %}", "not valid template syntax"),
        ("{{ link }} {% debug %}", "Only the placeholders"),
    ],
)
def test_a_bad_email_body_is_refused(survey_round, body, problem):
    survey_round.invitation_body = body
    with pytest.raises(ValidationError, match=re.escape(problem)):
        survey_round.full_clean()


def test_a_body_with_the_link_and_filters_is_accepted():
    email_template_check(
        "{{ round_name|upper }}: {{ link }}{% if closes %} by {{ closes }}{% endif %}",
        require_link=True,
    )
