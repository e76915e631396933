"""The bench's own databases: a fresh SQLite file or a fresh PostgreSQL database, migrated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "bench" / ".data"))
SQLITE_PATH = DATA_DIR / "bench.sqlite3"
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
POSTGRES_NAME = os.environ.get("BENCH_POSTGRES_NAME", "friction_bench")
ENGINES = ("sqlite", "postgres")


def database_url(engine: str) -> str:
    """The DATABASE_URL of the bench database on ``engine`` (``sqlite`` | ``postgres``)."""
    if engine == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    if engine == "postgres":
        return f"{POSTGRES_SERVER}/{POSTGRES_NAME}"
    raise ValueError(f"Unknown database {engine!r}: use sqlite or postgres.")


def bench_env(engine: str, **extra: str) -> dict[str, str]:
    """The environment of a bench subprocess on ``engine``: its DATABASE_URL, quiet logs."""
    env = dict(os.environ)
    # Local-memory cache in every bench process, so measurements never share cached results.
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DATABASE_URL": database_url(engine),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "",
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def database_reset(engine: str) -> None:
    """Drop and recreate the bench database on ``engine``, migrate it and load the default
    instrument. Raises subprocess.CalledProcessError when a step fails."""
    if engine == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{POSTGRES_NAME}"')
    env = bench_env(engine)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--no-input", "--verbosity", "0"], ["load_instrument"]):
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )


def database_drop(engine: str) -> None:
    """Remove the bench database on ``engine`` (the SQLite file, or DROP DATABASE)."""
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_NAME}" WITH (FORCE)')
