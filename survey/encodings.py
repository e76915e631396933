"""Which text encoding a file's bytes are in, and its text: the one rule for every file read.

Pure: no Django. Read by :func:`text_decode`, in this order:

1. A byte-order mark decides, whatever was chosen: UTF-8, UTF-16 or UTF-32, little- or
   big-endian (the UTF-32 LE mark begins like the UTF-16 LE one, so it is tried first). A mark
   cannot be mistaken for anything else, as the WHATWG Encoding Standard's decode also holds.
2. An encoding chosen by name (any text encoding Python reads, :func:`encoding_check`).
3. Without either: zero bytes in the pattern of UTF-32 or UTF-16 text without a mark (every
   fourth byte, every other byte) mean that encoding; other zero bytes are binary data.
4. UTF-8, when every byte sequence is valid UTF-8 (text in another encoding almost never is).
5. Else Windows-1252 (older Excel "CSV" in Western Europe), but only when it is plausible:
   every byte is one Windows-1252 defines (not 0x81, 0x8D, 0x8F, 0x90, 0x9D), and the
   non-ASCII characters look like Western text. Western text has them alone or in pairs
   between ASCII letters (``café``, ``Größe``, ``don’t``); text in a double-byte encoding
   (Shift-JIS, GB18030, Big5, EUC-KR) or another alphabet (Cyrillic, Greek) read as
   Windows-1252 has them in runs (``“ú–{Œê``) or, for Shift-JIS katakana, alternating with
   single ASCII characters (``ƒeƒXƒg``). When at least half the non-ASCII bytes sit in such
   a pattern, the file is refused with a message saying so, instead of being read garbled.
"""

from __future__ import annotations

import codecs
import re

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
WIDE_ENCODINGS = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# Bytes Windows-1252 leaves undefined; Python's cp1252 codec refuses them.
_CP1252_UNDEFINED_RE = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
ZERO_PATTERN_SAMPLE = 64 * 1024
SNIFF_SAMPLE = 64 * 1024
# Runs of three or more non-ASCII bytes, and C1-range bytes (0x80-0x9F) alternating with
# single ASCII characters: the two shapes of non-Western text read as Windows-1252.
_HIGH_RUN_RE = re.compile(rb"[\x80-\xff]{3,}")
_C1_ALTERNATION_RE = re.compile(rb"(?:[\x80-\x9f][\x21-\x7e]){2,}[\x80-\x9f]")
_HIGH_RE = re.compile(rb"[\x80-\xff]")
# Some encodings to name in messages, for files from other parts of the world.
OTHER_ENCODINGS_EXAMPLE = (
    "shift_jis or cp932 for Japanese, gb18030 for Chinese, cp949 for Korean, cp1251 for Cyrillic"
)


class EncodingError(ValueError):
    """Bytes that are not text in the encoding chosen or found. The message says what the
    bytes are (a byte and its line, or what the file looks like); callers add what to do."""


def encoding_check(encoding: str | None) -> str | None:
    """The codec name for an encoding named by people (``utf-8``, ``Windows-1252``,
    ``shift_jis``, any text encoding Python reads), or None for blank or ``auto``: detect.

    Raises EncodingError for a name that is not a text encoding.
    """
    name = (encoding or "").strip().lower()
    if name in ("", "auto", "detect"):
        return None
    try:
        codec = codecs.lookup(name).name
        b"x".decode(codec, errors="replace")  # LookupError: not a text encoding (base64)
    except (LookupError, UnicodeError):
        raise EncodingError(
            f"Unknown encoding {encoding!r}: name a text encoding such as utf-8, cp1252, "
            f"utf-16 ({OTHER_ENCODINGS_EXAMPLE}), or leave it out to detect it."
        ) from None
    return codec


def text_decode(content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``content`` by the rule of this module; ``encoding`` is a name that
    :func:`encoding_check` accepts (None: detect). Returns the text (without a byte-order
    mark) and the codec used (``utf-8``, ``cp1252``, ``utf-16-le``, ``shift_jis``, ...).

    Raises EncodingError when the bytes are not text in the chosen encoding, are binary
    data, or are neither UTF-8 nor plausible Windows-1252.
    """
    codec = encoding_check(encoding)
    for mark, marked in BYTE_ORDER_MARKS:
        if content.startswith(mark):
            return _decoded(
                content[len(mark) :], marked, why=f"starts with a {marked} mark"
            ), marked
    if codec is not None:
        if codec == "utf-8-sig":
            codec = "utf-8"
        if b"\x00" in content and codec not in WIDE_ENCODINGS:
            looks = _zero_pattern(content)
            if looks:
                raise EncodingError(
                    f"The file looks like {looks} text (zero bytes in its pattern), not {codec}."
                )
            raise EncodingError("The file contains binary data (zero bytes), not text.")
        return _decoded(content, codec), codec
    if b"\x00" in content:
        wide = _zero_pattern(content)
        if wide is None:
            raise EncodingError("The file contains binary data (zero bytes), not text.")
        return _decoded(content, wide, why=f"has zero bytes in the pattern of {wide}"), wide
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    problem = cp1252_problem(content)
    if problem:
        where = _where(content, utf8_error.start)
        raise EncodingError(
            f"The file is not UTF-8 text (byte 0x{content[utf8_error.start]:02x} {where} is "
            f"not UTF-8), and {problem}: it is probably in another encoding, such as "
            f"{OTHER_ENCODINGS_EXAMPLE}."
        )
    return content.decode("cp1252"), "cp1252"


def cp1252_problem(content: bytes) -> str:
    """Why ``content`` is not plausible Windows-1252 text, or ``""`` when it is (see the
    module's rule 5). Only the first SNIFF_SAMPLE bytes are judged by their shape."""
    undefined = _CP1252_UNDEFINED_RE.search(content)
    if undefined:
        index = undefined.start()
        return (
            f"byte 0x{content[index]:02x} {_where(content, index)} is not a Windows-1252 "
            "character either"
        )
    sample = content[:SNIFF_SAMPLE]
    high = len(_HIGH_RE.findall(sample))
    odd = sorted(
        [match.span() for match in _HIGH_RUN_RE.finditer(sample)]
        + [match.span() for match in _C1_ALTERNATION_RE.finditer(sample)]
    )
    odd_bytes = {
        index for start, end in odd for index in range(start, end) if sample[index] >= 0x80
    }
    if not odd or len(odd_bytes) * 2 < high:
        return ""
    start = odd[0][0]
    shown = sample[start : start + 12].split(b"\n")[0].decode("cp1252", errors="replace")
    return (
        f"read as Windows-1252 it would be garbled: {shown!r} {_where(content, start)} is "
        "not Western text"
    )


def _decoded(content: bytes, codec: str, *, why: str = "") -> str:
    try:
        return content.decode(codec)
    except UnicodeDecodeError as exc:
        because = f" (it {why})" if why else ""
        raise EncodingError(
            f"The file is not {codec} text{because}: byte 0x{content[exc.start]:02x} "
            f"{_where(content, exc.start, codec)} cannot be read."
        ) from None


def _zero_pattern(content: bytes) -> str | None:
    """``utf-32-le``/``-be`` or ``utf-16-le``/``-be`` when the zero bytes of the first
    ZERO_PATTERN_SAMPLE bytes fall where that encoding puts them for mostly-ASCII text (a CSV's
    separators, digits and line breaks), else None."""
    sample = content[:ZERO_PATTERN_SAMPLE]
    sample = sample[: len(sample) - len(sample) % 4]
    if not sample:
        return None

    def zeros(start: int, step: int) -> float:
        part = sample[start::step]
        return part.count(0) / len(part)

    # UTF-32: the top byte is always zero, the next one zero outside the rare astral planes.
    if zeros(3, 4) == 1 and zeros(2, 4) >= 0.9 and zeros(0, 4) <= 0.05:
        return "utf-32-le"
    if zeros(0, 4) == 1 and zeros(1, 4) >= 0.9 and zeros(3, 4) <= 0.05:
        return "utf-32-be"
    # UTF-16: ASCII characters have a zero high byte; few characters have a zero low byte.
    if zeros(1, 2) >= 0.3 and zeros(0, 2) <= 0.05:
        return "utf-16-le"
    if zeros(0, 2) >= 0.3 and zeros(1, 2) <= 0.05:
        return "utf-16-be"
    return None


def _where(content: bytes, index: int, codec: str = "") -> str:
    """``on line N`` for a byte offset, counting line breaks as the encoding writes them."""
    newline = "\n".encode(codec) if codec in WIDE_ENCODINGS else b"\n"
    if codec in ("utf-16", "utf-32"):
        newline = newline[len(newline) // 2 :]  # after the byte-order mark Python writes
    return f"on line {content[:index].count(newline) + 1}"
