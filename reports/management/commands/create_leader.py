"""`create_leader`: make sure the `leader` account exists, is in Leaders, and can log in."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.permissions import LEADERS_GROUP

USERNAME = "leader"


class Command(BaseCommand):
    help = (
        "Create or update the user 'leader' in the Leaders group. The password comes from "
        "LEADER_PASSWORD; without it a new random password is set and printed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("LEADER_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        try:
            validate_password(password, user_model(username=USERNAME))
        except ValidationError as exc:
            raise CommandError("LEADER_PASSWORD is too weak: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(username=USERNAME)
            user.is_active = True
            user.set_password(password)
            user.save()
            group, _ = Group.objects.get_or_create(name=LEADERS_GROUP)
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} user '{USERNAME}' in the {LEADERS_GROUP} group.")
        if generated:
            self.stdout.write(f"Password: {password}")
        else:
            self.stdout.write("Password: from LEADER_PASSWORD.")
        self.stdout.write(f"Log in at {settings.SURVEY_BASE_URL}/accounts/login/")
