"""Tests of survey.encodings: which encoding a file's bytes are in, with real encoded bytes."""

from __future__ import annotations

import codecs

import pytest

from survey.encodings import EncodingError, encoding_check, text_decode

TEXT = "side,a1,a_comment\r\nIT,4,日本語のコメント\r\nSecurity,2,テスト\r\n"
WESTERN = "side;a1;a_comment\r\nIT;4;Très bien, café – “résumé”\r\nSecurity;2;Größe œuvre\r\n"


@pytest.mark.parametrize(
    ("content", "codec"),
    [
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32-le"),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32-be"),
        (TEXT.encode("utf-32"), "utf-32-le"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8"), "utf-8"),
    ],
)
def test_a_byte_order_mark_or_utf8_is_read_as_what_it_is(content, codec):
    """Issue 18: a UTF-32 file was read as Windows-1252 ("no column gives the side")."""
    assert text_decode(content) == (TEXT, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_mark_are_known_by_their_zero_bytes(codec):
    assert text_decode(TEXT.encode(codec)) == (TEXT, codec)


def test_a_mark_wins_over_the_chosen_encoding():
    content = codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")
    assert text_decode(content, "cp1252") == (TEXT, "utf-16-le")


def test_western_text_in_windows_1252_is_still_read():
    content = WESTERN.encode("cp1252")
    assert b"\xe9" in content  # é as 0xE9: not UTF-8
    assert text_decode(content) == (WESTERN, "cp1252")


@pytest.mark.parametrize(
    ("text", "codec", "shown"),
    [
        (TEXT, "shift_jis", "byte 0x81 on line 2 is not a Windows-1252 character either"),
        ("side,a1,c\nIT,4,東京\n", "shift_jis", "garbled: '“Œ‹ž' on line 2"),  # noqa: RUF001
        ("side,a1,c\nIT,4,テスト\n", "shift_jis", "garbled: 'ƒeƒXƒg' on line 2"),
        ("side,a1,c\nIT,4,Привет мир\n", "cp1251", "garbled: 'Ïðèâåò ìèð' on line 2"),
        ("side,a1,c\nIT,4,信息安全部门\n", "gb18030", "garbled: 'ÐÅÏ¢°²È«²¿ÃÅ' on line 2"),
        ("side,a1,c\nIT,4,정보 보안\n", "euc-kr", "garbled: 'Á¤º¸ º¸¾È' on line 2"),  # noqa: RUF001
    ],
)
def test_text_in_another_encoding_is_named_not_read_garbled(text, codec, shown):
    """Issue 18: a Shift-JIS file was read as Windows-1252 and shown garbled."""
    content = text.encode(codec)
    with pytest.raises(EncodingError) as raised:
        text_decode(content)
    message = str(raised.value)
    assert message.startswith("The file is not UTF-8 text (byte 0x")
    assert shown in message
    assert "probably in another encoding, such as shift_jis or cp932 for Japanese" in message
    assert text_decode(content, codec) == (text, codecs.lookup(codec).name)


def test_the_chosen_encoding_must_fit_every_byte():
    with pytest.raises(EncodingError, match="not utf-8 text: byte 0xe8 on line 2 cannot be read"):
        text_decode(WESTERN.encode("cp1252"), "utf-8")
    with pytest.raises(EncodingError, match="on line 3 cannot be read"):
        text_decode("side\nIT\n".encode("utf-16-le") + b"\x00\xd8", "utf-16-le")


@pytest.mark.parametrize(
    "content",
    [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b"PK\x03\x04\x00\x00"],
)
def test_zero_bytes_out_of_any_text_pattern_are_binary_data(content):
    with pytest.raises(EncodingError, match="binary data"):
        text_decode(content)


def test_encoding_names_are_any_text_encoding_python_reads():
    assert encoding_check(None) is None
    assert encoding_check(" auto ") is None
    assert encoding_check("Windows-1252") == "cp1252"
    assert encoding_check("SHIFT-JIS") == "shift_jis"
    for name in ("klingon", "base64", "rot13"):
        with pytest.raises(EncodingError, match=f"Unknown encoding '{name}'"):
            encoding_check(name)
