"""Log line formats: one JSON object per line (python-json-logger) or one line of text.

Loaded while logging is configured (by Django, and by gunicorn's master before Django):
imports no Django. Both formats redact survey tokens from the whole line, tracebacks
included, after ``config.logging_filters`` has redacted the message.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from config.logging_filters import redact_survey_tokens

# Extras that Django's request log and runserver attach and that must not be serialized:
# the request object (its repr names the path; RequestFields takes method and path from
# it), runserver's socket and time string; status_code is logged as ``status``.
NOT_LOGGED = ("request", "server_time", "status_code")
FIRST = ("timestamp", "level", "logger", "message")


class JsonFormatter(LibraryJsonFormatter):
    """One JSON object per line: ``timestamp`` (ISO 8601, UTC), ``level``, ``logger``,
    ``message``, then the record's other fields (``method``, ``path``, ``status``,
    ``duration_ms``, ``request_id``, ``exc_info``...), every string value redacted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, *NOT_LOGGED],
            timestamp=True,
            **kwargs,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        ordered = {key: log_data[key] for key in FIRST if key in log_data}
        ordered |= log_data
        return {
            key: redact_survey_tokens(value) if isinstance(value, str) else value
            for key, value in ordered.items()
        }


class TextFormatter(logging.Formatter):
    """``<time> <LEVEL> <logger>: <message>`` for a person reading a terminal, redacted."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s: %(message)s")
        super().__init__(**kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return redact_survey_tokens(super().format(record))
