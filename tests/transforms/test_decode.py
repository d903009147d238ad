from __future__ import annotations

import codecs

import pytest
from docclean.transforms.decode import DecodeError, decode_bytes, not_language


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


def test_a_declared_charset_that_does_not_write_ascii_loses_on_ascii_bytes() -> None:
    html = b"<html><body><p>The pier is closed.</p></body></html>"
    assert decode_bytes(html, "utf-16").text == html.decode()
    assert decode_bytes(html, "cp037").text == html.decode()
    assert decode_bytes("東京都の桟橋".encode("utf-16-le"), "utf-16-le").text == "東京都の桟橋"  # not UTF-8: believed


@pytest.mark.parametrize("text", ["ⅱ" * 2500, "§±¶©®" * 100, "a" * 500, "1234567890 " * 50, "\u0e49" * 300])
def test_symbol_runs_and_repeated_characters_are_not_language(text: str) -> None:
    assert not_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "東京都は月曜日、北側の桟橋の修理に冬の大半がかかると発表した。",
        "قالت سلطة الميناء يوم الاثنين إن إصلاح الرصيف الشمالي سيستغرق معظم فصل الشتاء.",
        "Администрация порта заявила в понедельник, что ремонт займёт всю зиму.",
        "बंदरगाह प्राधिकरण ने सोमवार को कहा कि मरम्मत में सर्दियों का अधिकांश समय लगेगा।",
        "Scores: Arsenal 3, Chelsea 1; Spurs 2, Everton 2 (half time 1-1).",
        "Ok.",
    ],
)
def test_real_short_texts_in_any_script_are_language(text: str) -> None:
    assert not_language(text) is None
