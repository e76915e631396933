"""URLs, CSV readers and the texts of chart figures shared by the tests of the leader pages
and downloads, and the arithmetic of a reader who subtracts published counts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from django.urls import reverse

# The keys under which a Plotly figure holds text a reader sees: bar and cell labels, hover
# texts, annotations, tick labels and titles.
FIGURE_TEXT_KEYS = frozenset({"text", "hovertext", "customdata", "ticktext"})
# A number written the English way: a decimal point between digits ("62.5").
ENGLISH_DECIMAL = re.compile(r"\d\.\d")
# A number written with a decimal comma ("62,5").
COMMA_DECIMAL = re.compile(r"\d,\d")


def page_url(name: str, survey_round, **kwargs) -> str:
    """The URL of the round's page ``reports:<name>`` (``kwargs``: e.g. a dimension's code)."""
    return reverse(f"reports:{name}", kwargs={"slug": survey_round.slug, **kwargs})


def dashboard_url(survey_round) -> str:
    """The URL of the round's dashboard."""
    return reverse("reports:dashboard", kwargs={"slug": survey_round.slug})


def dimension_url(survey_round, code: str, query: str = "") -> str:
    """The URL of the page of the round's dimension ``code``, with ``query``."""
    url = reverse("reports:dimension", kwargs={"slug": survey_round.slug, "code": code})
    return f"{url}?{query}" if query else url


def export_url(survey_round, kind: str, query: str = "") -> str:
    """The URL of the round's download ``kind`` (responses, summary, gaps), with ``query``."""
    url = reverse("reports:export", kwargs={"slug": survey_round.slug, "kind": kind})
    return f"{url}?{query}" if query else url


def page_text(response) -> str:
    """A page's text as a reader sees it: tags dropped, runs of white space made one."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


def read_csv(response) -> list[list[str]]:
    """The rows of a streamed CSV download, header first."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def read_csv_records(response) -> list[dict[str, str]]:
    """The rows of a streamed CSV download as dicts keyed by the header."""
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def subtraction_interval(total: int, shown: Sequence[int], bound: int) -> range:
    """Every size of the rest of a total that its published figures allow: the published
    ``total`` minus the published ``shown`` parts, each published count being within
    ``bound`` of its true one (the cell-key method), and no group below 0."""
    rest = total - sum(shown)
    slack = bound * (1 + len(shown))
    return range(max(0, rest - slack), rest + slack + 1)


def figure_texts(figure: dict) -> list[str]:
    """Every string under :data:`FIGURE_TEXT_KEYS` in a figure's JSON (``data`` and
    ``layout``, at any depth: a heatmap's rows of cell texts, annotations, axes)."""
    found: list[str] = []

    def walk(node, key: str | None) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, name)
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and key in FIGURE_TEXT_KEYS:
            found.append(node)

    walk(figure, None)
    return found
