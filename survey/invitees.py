"""Reading invitee lists, a CSV file or pasted addresses, into rows (no database here).

Only the shape is read here; :func:`survey.services.invitations.invitees_add` checks every value and
writes. Problems name the line they are on, so a file can be fixed in one go.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from survey.encodings import EncodingError, text_decode
from survey.tables import csv_error_text

MAX_LINES = 10_000
HEADER_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "mail": "email",
    "side": "side",
    "function": "function",
    "level": "level",
    "language": "language",
}
# One pasted address: commas and semicolons separate addresses, except inside a quoted
# display name ("Doe, Jane" <jane@example.org>) or angle brackets; a stray quote or bracket
# stays in the piece, so a problem names exactly what was typed.
_PIECE_RE = re.compile(r'(?:"[^"\n]*"|<[^<>\n]*>|[^,;\n])+')
_ANGLE_RE = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class InviteeRow:
    """One invitee as read: ``line`` (1-based line of the file or the pasted text), the
    address and the profile values as typed (blank when not given)."""

    line: int
    email: str
    side: str = ""
    function: str = ""
    level: str = ""
    language: str = ""


class InviteeListError(ValueError):
    """The list cannot be used; ``problems`` holds one message per problem, each naming its
    line. Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _decode(content: bytes) -> str:
    """The file's text, by the rule every uploaded file is read with (survey.encodings)."""
    try:
        return text_decode(content)[0]
    except EncodingError as exc:
        raise InviteeListError([f"{exc} Save it as CSV UTF-8 and try again."]) from None


def invitees_read_csv(content: bytes) -> list[InviteeRow]:
    """Read a CSV invitee list: a header row naming the columns (``email`` required; ``side``,
    ``function``, ``level``, ``language`` optional; other columns ignored), then one invitee
    per line.
    Comma, semicolon or tab separated; decoded by :func:`survey.encodings.text_decode` (UTF-8,
    UTF-16 or UTF-32, else plausible Windows-1252). Blank lines are skipped.

    Raises InviteeListError when the bytes are not text it can read, there is no ``email``
    column, no invitee, or more than MAX_LINES lines.
    """
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InviteeListError([f"Line 1: {csv_error_text(exc)}."]) from exc
    if not header:
        raise InviteeListError(["The file is empty: expected a header row with an email column."])
    columns = {
        HEADER_ALIASES[name.strip().lower()]: index
        for index, name in reversed(list(enumerate(header)))
        if name.strip().lower() in HEADER_ALIASES
    }
    if "email" not in columns:
        raise InviteeListError(
            [
                "Line 1: no email column. The first row must name the columns, e.g. "
                "email,side,function,level."
            ]
        )
    rows: list[InviteeRow] = []
    try:
        for cells in reader:
            line = reader.line_num
            if line > MAX_LINES + 1:
                raise InviteeListError([f"The file has more than {MAX_LINES} invitees."])
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                field: cells[index].strip() if index < len(cells) else ""
                for field, index in columns.items()
            }
            rows.append(InviteeRow(line=line, **values))
    except csv.Error as exc:
        raise InviteeListError([f"Line {reader.line_num}: {csv_error_text(exc)}."]) from exc
    if not rows:
        raise InviteeListError(["The file has a header but no invitees."])
    return rows


def invitees_read_text(text: str) -> list[InviteeRow]:
    """Read pasted addresses: one per line, or separated by commas or semicolons; a
    ``Name <address>`` form keeps the address (a quoted name may hold a comma). Each row's
    ``line`` is the line it is on.

    Raises InviteeListError when there is no address or more than MAX_LINES of them.
    """
    rows: list[InviteeRow] = []
    for line_number, line in enumerate((text or "").splitlines(), start=1):
        for piece in _PIECE_RE.findall(line):
            piece = piece.strip()
            if not piece:
                continue
            match = _ANGLE_RE.search(piece)
            rows.append(InviteeRow(line=line_number, email=(match.group(1) if match else piece)))
            if len(rows) > MAX_LINES:
                raise InviteeListError([f"More than {MAX_LINES} addresses: split the list."])
    if not rows:
        raise InviteeListError(["No address was given."])
    return rows
