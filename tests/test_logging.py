"""Structured logs (settings.LOGGING, config/logging_formatters.py, config/logging_filters.py):
one JSON object per line with the request's fields and id, survey tokens never written."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from config.logging_filters import RedactSurveyTokens, RequestFields
from config.logging_formatters import JsonFormatter, TextFormatter

ROOT = Path(__file__).resolve().parent.parent


def _formatted(record: logging.LogRecord, formatter: logging.Formatter) -> str:
    """The line a configured handler writes: both filters, in the configured order, then
    the formatter."""
    for log_filter in (RequestFields(), RedactSurveyTokens()):
        assert log_filter.filter(record)
    return formatter.format(record)


def _record(name: str, message: str, *args, **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args or None, None)
    record.__dict__.update(extra)
    return record


def test_a_django_request_line_is_json_with_the_request_fields_and_no_token():
    token = secrets.token_urlsafe(32)
    request = RequestFactory().get(f"/s/{token}/page/1/")
    record = _record(
        "django.request", "Not Found: %s", request.path, status_code=404, request=request
    )
    line = _formatted(record, JsonFormatter())
    assert "\n" not in line
    data = json.loads(line)
    assert list(data)[:4] == ["timestamp", "level", "logger", "message"]
    assert data["timestamp"].endswith("+00:00")
    assert data["level"] == "WARNING"
    assert data["logger"] == "django.request"
    assert data["message"] == "Not Found: /s/[token]/page/1/"
    assert data["method"] == "GET"
    assert data["path"] == "/s/[token]/page/1/"
    assert data["status"] == 404
    assert "request" not in data
    assert "status_code" not in data
    assert token not in line


def test_gunicorns_access_line_has_method_path_status_duration_and_request_id():
    token = secrets.token_urlsafe(32)
    atoms = {
        "m": "POST",
        "U": f"/s/{token}/submit/",
        "s": "302",
        "D": 12_345,
        "B": 0,
        "{x-request-id}o": "0123456789abcdef0123456789abcdef",
    }
    record = _record("gunicorn.access", "%(m)s %(U)s %(s)s", atoms)
    record.levelno, record.levelname = logging.INFO, "INFO"
    line = _formatted(record, JsonFormatter())
    data = json.loads(line)
    assert data["message"] == "POST /s/[token]/submit/ 302"
    assert (data["method"], data["path"], data["status"]) == ("POST", "/s/[token]/submit/", 302)
    assert data["duration_ms"] == 12.3
    assert data["request_id"] == "0123456789abcdef0123456789abcdef"
    assert token not in line


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_a_traceback_that_quotes_a_survey_url_is_redacted(formatter):
    token = secrets.token_urlsafe(32)
    try:
        raise ValueError(f"cannot render https://survey.example.org/s/{token}/review/")
    except ValueError:
        record = logging.LogRecord(
            "survey", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    line = _formatted(record, formatter)
    assert "ValueError" in line
    assert "/s/[token]/review/" in line
    assert token not in line


@pytest.mark.django_db
def test_every_line_of_a_request_carries_its_id(client):
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)
    )
    stream, old = io.StringIO(), handler.stream
    handler.setStream(stream)
    try:
        response = client.get(f"/s/{secrets.token_urlsafe(32)}/no-such-page/")
    finally:
        handler.setStream(old)
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines
    assert all(line["request_id"] == request_id for line in lines)
    assert lines[-1]["message"] == "Not Found: /s/[token]/no-such-page/"


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept_and_anything_else_replaced(client):
    nginx_id = "5b0e1f7c9d2a4e6f8a1b3c5d7e9f0a2b"
    assert client.get("/", HTTP_X_REQUEST_ID=nginx_id)["X-Request-ID"] == nginx_id
    chosen = client.get("/", HTTP_X_REQUEST_ID="/s/a-token-a-client-chose/")["X-Request-ID"]
    assert chosen != "/s/a-token-a-client-chose/"
    assert len(chosen) == 32
    assert int(chosen, 16) >= 0


def test_log_format_text_writes_lines_for_a_person():
    env = {**os.environ, "LOG_FORMAT": "text", "LOG_LEVEL": "INFO"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('survey').warning('opened /s/secret-token-value/')"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    line = result.stderr.strip().splitlines()[-1]
    assert line.endswith(" WARNING survey: opened /s/[token]/")
    assert not line.startswith("{")
