from __future__ import annotations

import codecs

import pytest
from docclean.transforms.decode import DecodeError, decode_bytes


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


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("中文新闻报道", "gbk"),
        ("中文新闻报道", "gb2312"),
        ("日本語のニュース記事です。", "shift_jis"),
        ("日本語のニュース記事です。", "euc_jp"),
        ("Новости дня", "koi8_r"),
    ],
)
def test_declared_charset_is_honoured(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding), declared=encoding).text == text


@pytest.mark.parametrize("encoding", ["shift_jis", "euc_jp", "gb18030", "cp1251"])
def test_undeclared_legacy_charsets_are_detected(encoding: str) -> None:
    text = {
        "shift_jis": "東京都は月曜日、新しい公園の建設計画を発表した。完成は来年の春になる見込みだ。",
        "euc_jp": "東京都は月曜日、新しい公園の建設計画を発表した。完成は来年の春になる見込みだ。",
        "gb18030": "北京市政府星期一宣布了一项新的公园建设计划，预计明年春天完工。",
        "cp1251": "Городской совет в понедельник утвердил новый бюджет после долгих споров.",
    }[encoding]
    assert decode_bytes(text.encode(encoding)).text == text


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
