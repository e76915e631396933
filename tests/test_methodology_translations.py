"""Every translation of docs/methodology.md (docs/methodology.<language>.md, issue 17) has the
English file's structure: the same headings at the same levels in the same order, the same
lists and table rows, every code span (formulas, settings, file and column names) exactly as
in English, the same references, and the marker line saying it is a translation. A
translation that drops a section or alters a formula fails here, not in a reader's hands."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reports.views.dashboard import methodology_marker

DOCS = Path(__file__).resolve().parent.parent / "docs"
ENGLISH = DOCS / "methodology.md"
TRANSLATIONS = sorted(DOCS.glob("methodology.*.md"))
# The marker's note: "translation of methodology.md", then "; needs review by a native
# speaker" until one has read it.
MARKER_NOTE = re.compile(r"translation of methodology\.md\b.*")
# A reference entry's head: its authors (or body) and year, "Sweeney, L. (2002a)".
REFERENCE_HEAD = re.compile(r"^(.*?\(\d{4}[a-z]?\))")
DOI = re.compile(r"\b10\.\d{4,9}/\S+[^\s.,;)]")


@dataclass(frozen=True)
class Structure:
    """What a translation must keep of the English file: heading levels in order, the
    shape of every list (ordered or not, number of items) and table (number of rows), the
    code spans as a multiset, and the entries of each references section (by the index of
    its heading) as their authors-and-year heads and DOIs."""

    headings: list[tuple[int, str]]
    lists: list[tuple[str, int]]
    tables: list[int]
    code: Counter[str]
    sections: dict[int, list[str]]


def structure(text: str) -> Structure:
    """The :class:`Structure` of a methodology file's Markdown ``text`` (marker line
    dropped, as the page drops it), parsed as the page renders it (CommonMark and tables)."""
    _note, text = methodology_marker(text)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings: list[tuple[int, str]] = []
    lists: list[tuple[str, int]] = []
    tables: list[int] = []
    code: Counter[str] = Counter()
    sections: dict[int, list[str]] = {}
    open_lists: list[list] = []
    depth = 0  # nesting of list items: only top-level items of a section are entries
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append((int(token.tag[1]), tokens[index + 1].content))
            sections[len(headings) - 1] = []
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            open_lists.append([token.type.split("_")[0], 0])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            kind, items = open_lists.pop()
            lists.append((kind, items))
        elif token.type == "list_item_open":
            open_lists[-1][1] += 1
            depth += 1
            if depth == 1 and headings:
                sections[len(headings) - 1].append(tokens[index + 2].content)
        elif token.type == "list_item_close":
            depth -= 1
        elif token.type == "table_open":
            tables.append(0)
        elif token.type == "tr_open":
            tables[-1] += 1
        elif token.type in ("code_block", "fence"):
            code[token.content.strip()] += 1
        elif token.type == "inline":
            code.update(child.content for child in token.children if child.type == "code_inline")
    return Structure(headings, lists, tables, code, sections)


def reference_entries(entries: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Each entry of a references list as (authors and year, DOIs): the parts a translation
    keeps in their original language. An entry with no year gives ""."""
    heads = []
    for entry in entries:
        head = REFERENCE_HEAD.match(" ".join(entry.split()))
        heads.append((head.group(1) if head else "", tuple(DOI.findall(entry))))
    return heads


def differences(english: str, translation: str) -> list[str]:
    """How ``translation`` departs from the structure of ``english`` (both a methodology
    file's text), one sentence each; empty when it keeps it."""
    problems = []
    note, _text = methodology_marker(translation)
    if note is None or not MARKER_NOTE.fullmatch(note):
        problems.append(
            "the first line is not <!-- translation of methodology.md[; needs review ...] -->"
        )
    source, target = structure(english), structure(translation)
    levels = [level for level, _title in source.headings]
    if levels != [level for level, _title in target.headings]:
        index = next(
            (
                index
                for index, (level, _title) in enumerate(target.headings)
                if index >= len(levels) or level != levels[index]
            ),
            len(target.headings),
        )
        at = source.headings[index] if index < len(levels) else "the end"
        problems.append(
            f"heading levels differ: {len(levels)} headings in English, "
            f"{len(target.headings)} translated; the levels first differ at heading {index + 1} "
            f"(English: {at})"
        )
    if source.lists != target.lists:
        problems.append(f"lists (kind, items) differ: {source.lists} != {target.lists}")
    if source.tables != target.tables:
        problems.append(f"table rows differ: {source.tables} != {target.tables}")
    missing, extra = source.code - target.code, target.code - source.code
    if missing or extra:
        problems.append(
            f"code spans missing: {sorted(missing.elements())}; "
            f"not in English: {sorted(extra.elements())}"
        )
    if levels == [level for level, _title in target.headings]:
        for index, (_level, title) in enumerate(source.headings):
            if not title.startswith("References"):
                continue
            expected = reference_entries(source.sections[index])
            found = reference_entries(target.sections[index])
            if expected != found:
                problems.append(f"references under {title!r} differ: {expected} != {found}")
    return problems


def test_there_is_a_translation_to_check():
    assert TRANSLATIONS, "no docs/methodology.<language>.md"
    assert all(
        re.fullmatch(r"methodology\.[a-z]{2,3}(-[a-z0-9]+)?\.md", p.name) for p in TRANSLATIONS
    )


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda path: path.name)
def test_a_translation_keeps_the_english_structure(path):
    assert differences(ENGLISH.read_text(encoding="utf-8"), path.read_text(encoding="utf-8")) == []


# --- The check itself: it passes the English text marked as a translation, and fails each
# kind of damage a translation could do. Strings, not files.

MARKER = "<!-- translation of methodology.md; needs review by a native speaker -->\n"


@pytest.fixture(scope="module")
def english() -> str:
    return ENGLISH.read_text(encoding="utf-8")


def test_the_english_text_marked_as_a_translation_passes(english):
    assert differences(english, MARKER + english) == []


def test_the_english_file_has_what_the_check_compares(english):
    found = structure(english)
    assert len(found.headings) > 20
    assert found.tables == [5, 5]  # header row and four rows each
    assert found.code["score = A + 1 − v"] == 1
    titles = [title for _level, title in found.headings]
    assert titles.count("References") == 1
    entries = reference_entries(found.sections[titles.index("References")])
    assert len(entries) == 30
    assert ("Sweeney, L. (2002a)", ()) in entries


def test_a_missing_marker_fails(english):
    assert differences(english, english) == [
        "the first line is not <!-- translation of methodology.md[; needs review ...] -->"
    ]


def test_a_dropped_section_fails(english):
    start = english.index("## Reliability")
    end = english.index("## Status of a dimension")
    problems = differences(english, MARKER + english[:start] + english[end:])
    assert problems[0] == (
        "heading levels differ: 24 headings in English, 23 translated; the levels first differ at "
        "heading 9 (English: (2, 'Anonymity (the cell-key method)'))"
    )
    assert any("code spans missing: ['all', 'all', 'alpha', 'alpha = J" in p for p in problems)


def test_a_dropped_last_section_fails(english):
    cut = english.index("### References for this section")
    problems = differences(english, MARKER + english[:cut])
    assert problems[0].endswith(
        "first differ at heading 24 (English: (3, 'References for this section'))"
    )


def test_a_heading_at_another_level_fails(english):
    broken = english.replace("### Comments\n", "## Comments\n")
    problems = differences(english, MARKER + broken)
    assert problems == [
        "heading levels differ: 24 headings in English, 24 translated; the levels first differ at "
        "heading 11 (English: (3, 'Comments'))"
    ]


def test_an_altered_formula_fails(english):
    broken = english.replace("`score = A + 1 − v`", "`score = A − v`")
    assert differences(english, MARKER + broken) == [
        "code spans missing: ['score = A + 1 − v']; not in English: ['score = A − v']"
    ]


def test_a_formula_taken_out_of_backticks_fails(english):
    broken = english.replace("`100 − mean |gap|`", "100 − mean |gap|")
    assert differences(english, MARKER + broken) == [
        "code spans missing: ['100 − mean |gap|']; not in English: []"
    ]


def test_a_renamed_setting_fails(english):
    broken = english.replace("`FRICTION_DIVIDED_RWG`", "`FRICTION_DIVIDED`")
    assert any("FRICTION_DIVIDED_RWG" in p for p in differences(english, MARKER + broken))


def test_a_dropped_table_row_fails(english):
    row = "| uniform within ±3 / ±4 / ±5 | 1 of 30 / 1 of 40 / 0 of 30 |\n"
    assert row in english
    problems = differences(english, MARKER + english.replace(row, ""))
    assert problems == ["table rows differ: [5, 5] != [4, 5]"]


def test_a_dropped_list_item_fails(english):
    item = "- Item-level figures use everyone who answered that statement.\n"
    assert item in english
    problems = differences(english, MARKER + english.replace(item, ""))
    assert len(problems) == 1
    assert problems[0].startswith("lists (kind, items) differ")


def test_a_changed_reference_year_fails(english):
    broken = english.replace("Kerby, D. S. (2014). The simple", "Kerby, D. S. (2015). The simple")
    problems = differences(english, MARKER + broken)
    assert len(problems) == 1
    assert "references under 'References' differ" in problems[0]
    assert "Kerby, D. S. (2015)" in problems[0]


def test_a_translated_author_list_fails(english):
    broken = english.replace(
        "Mann, H. B., & Whitney, D. R. (1947). On", "Mann, H. B., et Whitney, D. R. (1947). On"
    )
    assert any("references under" in p for p in differences(english, MARKER + broken))


def test_a_changed_doi_fails():
    english = "# M\n\n## References\n\n- A, B. (2001). T. doi:10.1000/xyz123.\n"
    translation = MARKER + "# M\n\n## Références\n\n- A, B. (2001). T. doi:10.1000/xyz124.\n"
    problems = differences(english, translation)
    assert problems == [
        "references under 'References' differ: [('A, B. (2001)', ('10.1000/xyz123',))] != "
        "[('A, B. (2001)', ('10.1000/xyz124',))]"
    ]
