"""Logging filters. Loaded while logging is configured, before apps: imports no models."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar

# An invitation token is the secret in /s/<token>/...; a log line must never carry it.
SURVEY_TOKEN_PATH = re.compile(r"/s/[^/\s?#\"']+")
REDACTED_PATH = "/s/[token]"

# The id of the request being served (config.middleware.request_id sets it), so every line
# logged while serving it can be matched with the access log line of the same request.
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


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


class ClientErrorsWithoutTraceback(logging.Filter):
    """Drop the traceback from Django's log line of a 4xx response (``django.request``).

    Django logs a view's ``PermissionDenied`` (403), ``BadRequest`` and a malformed
    multipart body (400) as warnings with the exception as ``exc_info``, so a page refused
    on purpose, such as a leader opening a staff page, read in the log as a crash. Its one
    line ("Forbidden (Permission denied): /manage/rounds/spring/") says what happened. A
    5xx (``status_code`` 500 or more) keeps its traceback; the record is always kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class RequestFields(logging.Filter):
    """Give a record about a request the fields of a structured log line: ``method``,
    ``path`` (token redacted), ``status``, and for gunicorn's access log ``duration_ms``
    (float, milliseconds) and ``bytes``; and ``request_id`` to every record logged while a
    request is served. Runs before :class:`RedactSurveyTokens`, which may drop the
    arguments these are read from.

    Sources: gunicorn's access log passes its "atoms" as the message's arguments (``m``
    method, ``U`` path, ``s`` status, ``D`` microseconds, ``B`` bytes, ``{name}o`` response
    headers); Django's request log and runserver pass ``status_code`` and ``request`` (with
    its ``request_id``, set by ``config.middleware.request_id``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            self._from_access_atoms(record, record.args)
        else:
            request = getattr(record, "request", None)
            if hasattr(request, "method") and hasattr(request, "path"):
                record.method = request.method
                record.path = redact_survey_tokens(request.path)
                # Django logs a 4xx response after the middleware has returned.
                if getattr(request, "request_id", ""):
                    record.request_id = request.request_id
            if isinstance(getattr(record, "status_code", None), int):
                record.status = record.status_code
        if not getattr(record, "request_id", "") and current_request_id.get():
            record.request_id = current_request_id.get()
        return True

    @staticmethod
    def _from_access_atoms(record: logging.LogRecord, atoms: Mapping) -> None:
        record.method = atoms.get("m")
        record.path = redact_survey_tokens(str(atoms.get("U") or ""))
        status = str(atoms.get("s") or "")
        record.status = int(status) if status.isdigit() else status
        if isinstance(atoms.get("D"), int):
            record.duration_ms = round(atoms["D"] / 1000, 1)
        record.bytes = atoms.get("B")
        request_id = atoms.get("{x-request-id}o")
        if request_id:
            record.request_id = request_id
