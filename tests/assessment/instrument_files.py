"""Instrument files for the tests of instrument_load: a small valid instrument as data, written
as YAML, a key set or deleted by the path an error names, and a snapshot of the items
loaded."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from assessment.models import Instrument, Item
from tests.factories import AGREEMENT_5


def tiny_data() -> dict:
    """A small valid instrument: two dimensions, a mirror pair, a comment."""
    return {
        "slug": "tiny",
        "version": "1",
        "title": "Tiny instrument",
        "description": "For tests.",
        "scale": {"points": 5, "labels": list(AGREEMENT_5)},
        "dimensions": [
            {
                "code": "d1",
                "name": "Dimension one",
                "description": "About one.",
                "guidance": "Do one thing. Then another.",
                "items": [
                    {
                        "code": "a1",
                        "text": "IT does A.",
                        "kind": "likert",
                        "reverse_scored": False,
                        "mirror_of": "a2",
                        "about": "it",
                    },
                    {
                        "code": "a2",
                        "text": "Security does A.",
                        "kind": "likert",
                        "reverse_scored": False,
                        "about": "security",
                    },
                    {
                        "code": "a3",
                        "text": "A goes wrong.",
                        "kind": "likert",
                        "reverse_scored": True,
                    },
                    {"code": "a_comment", "text": "Anything to add?", "kind": "text"},
                ],
            },
            {
                "code": "d2",
                "name": "Dimension two",
                "description": "About two.",
                "guidance": "Do two things.",
                "items": [
                    {"code": "b1", "text": "B works.", "kind": "likert", "reverse_scored": False},
                    {"code": "b2", "text": "B fails.", "kind": "likert", "reverse_scored": True},
                ],
            },
        ],
    }


def write(tmp_path: Path, data: object, name: str = "instrument.yaml") -> Path:
    """``data`` written as YAML to ``tmp_path / name``; returns that path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def snapshot(instrument: Instrument) -> list[tuple]:
    """The instrument's items as tuples (id, code, dimension, text, kind, reverse coding,
    mirror, order), by id: equal snapshots mean no item changed."""
    return list(
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("pk")
        .values_list(
            "pk",
            "code",
            "dimension_id",
            "text",
            "kind",
            "reverse_scored",
            "mirror_of__code",
            "order",
        )
    )


def set_key(data: dict, path: str, value: object) -> None:
    """Set the key at ``path`` (as an error names it: ``dimensions[0].items[1].text``)."""
    *parents, last = re.findall(r"[^.\[\]]+", path)
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


def delete_key(data: dict, path: str) -> None:
    """Delete the key at ``path`` (as :func:`set_key` reads it)."""
    *parents, last = re.findall(r"[^.\[\]]+", path)
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    del node[last]
