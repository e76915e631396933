"""Logging filters. Loaded while logging is configured, before apps: imports no models."""

from __future__ import annotations

import logging
import re

# An invitation token is the secret in /s/<token>/...; a log line must never carry it.
SURVEY_TOKEN_PATH = re.compile(r"/s/[^/\s?#\"']+")
REDACTED_PATH = "/s/[token]"


def redact_survey_tokens(text: str) -> str:
    """Replace the token of every ``/s/<token>`` path in ``text`` with ``[token]``."""
    return SURVEY_TOKEN_PATH.sub(REDACTED_PATH, text)


class RedactSurveyTokens(logging.Filter):
    """Rewrite a record whose message names a survey URL so the token is not logged.

    Django logs the path of every 4xx/5xx response (``django.request``: "Not Found:
    /s/<token>/") and runserver every request line (``django.server``). The message is
    formatted here, redacted, and its arguments dropped; the record is always kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler
            return True
        redacted = redact_survey_tokens(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
            if hasattr(getattr(record, "request", None), "path"):
                # Handlers that print the request (AdminEmailHandler) see no token either.
                record.request = None
        return True
