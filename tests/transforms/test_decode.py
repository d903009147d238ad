from __future__ import annotations

import codecs

import pytest

from transforms.decode import DecodeError, decode_bytes


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("naïve café".encode(), "naïve café"),
        (codecs.BOM_UTF8 + b"bom", "bom"),
        ("über".encode("utf-16"), "über"),
        ("Привет, как дела? Всё хорошо, спасибо.".encode("cp1251"), "Привет, как дела? Всё хорошо, спасибо."),
        (
            "Les élèves étaient très fâchés contre leur école.".encode("cp1252"),
            "Les élèves étaient très fâchés contre leur école.",
        ),
    ],
)
def test_decodes_text_in_common_encodings(data: bytes, text: str) -> None:
    assert decode_bytes(data).text == text


def test_declared_charset_is_honoured() -> None:
    data = "中文新闻报道".encode("gbk")
    assert decode_bytes(data, declared="gbk").text == "中文新闻报道"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 binary", "binary"),
        (b"\x89PNG\r\n\x1a\n....", "binary"),
        (b"text\x00with\x00many\x00nul\x00bytes", "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa bad", "undecodable"),
    ],
)
def test_unusable_bytes_raise_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    assert info.value.reason == reason
    assert info.value.detail
