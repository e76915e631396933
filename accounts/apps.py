"""App config for staff accounts: local log-in, single sign-on (OpenID Connect), passwords."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts and single sign-on"
