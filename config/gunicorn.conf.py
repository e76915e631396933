"""gunicorn's settings (`make serve`, docs/deployment.md): `gunicorn -c config/gunicorn.conf.py`.

Every value a deployment changes comes from the environment (docs/configuration.md). Logs use
the application's own configuration (settings.LOGGING: LOG_FORMAT, LOG_LEVEL), so gunicorn's
lines, the access log and Django's are alike: one JSON object per line by default, survey
tokens redacted.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # gunicorn reads this file before it adds its directory
    sys.path.insert(0, str(ROOT))

from config.settings import LOGGING, env_bool, env_number  # noqa: E402 - needs the path above

wsgi_app = "config.wsgi:application"

# 127.0.0.1: the TLS proxy on the same machine forwards to it. BIND=0.0.0.0:8000 (or a
# unix:/run/friction/gunicorn.sock) when the proxy is elsewhere.
bind = [os.environ.get("BIND") or f"127.0.0.1:{env_number('PORT', '8000')}"]

# Processes x threads. A survey page spends most of its time in Python, so processes give
# the throughput (2 x cores + 1, gunicorn's advice) and threads keep a worker answering
# while one of its requests waits on the database or builds a dashboard.
workers = env_number("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1))
threads = env_number("WEB_THREADS", "4")
worker_class = "gthread"
# A worker silent (hung) this many seconds is killed and replaced. With threads a long
# request does not count (the dashboard of 100,000 respondents builds in about 6 s): the
# proxy's read timeout bounds a request.
timeout = env_number("WEB_TIMEOUT", "60")
graceful_timeout = 30
keepalive = 5
# The master imports the application and every view before it forks (when_ready below): a
# worker starts warm (its first request is not the one that imports pandas and SciPy) and
# shares those pages with the others. New code then needs a restart, not a HUP reload.
preload_app = env_bool("WEB_PRELOAD", default=True)
# Restart each worker after about 1,000 requests: the memory a large dashboard build
# took is given back to the system.
max_requests = 1000
max_requests_jitter = 100

# X-Forwarded-Proto is believed only from the proxy's address (gunicorn's own variable).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: settings.LOGGING for gunicorn's master and workers; access lines on standard output
# with their fields (method, path, status, duration_ms, bytes, request_id) read from these
# atoms by config.logging_filters.RequestFields. No client address is logged.
logconfig_dict = LOGGING
# Python's warnings (a library's deprecation, whitenoise's "No directory") as log lines too.
logging.captureWarnings(True)
access_log_format = "%(m)s %(U)s %(s)s %(B)s bytes %(M)s ms"
errorlog = "-"
# gunicornc's control socket is not used; several servers on one machine would share it.
control_socket_disable = True


def when_ready(server: object) -> None:
    """With preload_app (``WEB_PRELOAD``), also import the URL configuration, every view and
    its libraries (pandas, SciPy, Plotly) in the master before it forks: every worker, one
    restarted by max_requests too, then starts warm and shares those pages of memory."""
    if server.cfg.preload_app:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - the import is the point
