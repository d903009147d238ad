"""prepare_text's shortcuts around ftfy: they must give exactly what ftfy itself gives."""

from __future__ import annotations

import ftfy
import ftfy.badness
import pytest
from docclean.transforms.normalize import FTFY_CONFIG, fix_text, is_bad, needs_ftfy, paragraph_key, prepare_text
from hypothesis import given, settings
from hypothesis import strategies as st

# Characters mojibake is made of, the ones the shortcuts look for, and ordinary text around them.
MOJIBAKE_ALPHABET = (
    "aZz.,?! \n\t-&#;0123456789ÃÂÎÐ€œŠš¢£Ÿž\xa0\xad®©°·»«–—´’‘“”…×²³ØÙàáâãäåçèéêëìíîïñòóôõöùúûü"
    "√±∂†≠™≤≥¥µø≈‚Äîïòôβ€ΆΒΓΞΟВЂГўРС¦¤¨¬¯¸ƒˆˇ˘˛˜‡‰◊\ufffd\x80\x85\x9d\r\u2028ﬁĳ\x1b\x00\ufeff"
)
mojibake_text = st.text(alphabet=MOJIBAKE_ALPHABET, max_size=40)


@settings(max_examples=2000, deadline=None)
@given(mojibake_text)
def test_is_bad_agrees_with_ftfy(text: str) -> None:
    assert is_bad(text) == ftfy.badness.is_bad(text)


@settings(max_examples=2000, deadline=None)
@given(mojibake_text)
def test_fix_text_agrees_with_ftfy(text: str) -> None:
    assert fix_text(text) == ftfy.fix_text(text, config=FTFY_CONFIG)


@pytest.mark.parametrize(
    "text",
    [
        "Ã sent",  # the badness pattern anchored at a line start, on the second line
        "ok\nÃ tout",
        "caf\u00c3\u00a9",
        "AT&amp;T",
        "e\u0301",  # not NFC
        "ﬁne",
        "line\r\nbreak",
        "sé\x85",
    ],
)
def test_text_ftfy_would_change_is_not_skipped(text: str) -> None:
    assert needs_ftfy(text)
    assert fix_text(text) == ftfy.fix_text(text, config=FTFY_CONFIG)


def test_clean_text_skips_ftfy_unchanged() -> None:
    text = "Café “crème” – 5 € … naïve résumé, Straße, 東京, Москва.\nSecond line."
    assert not needs_ftfy(text)
    assert prepare_text(text) == text


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.text(alphabet="aZ9 ’'.-ßΣςİǅ\u0301_", max_size=12), max_size=5))
def test_paragraph_key_of_joined_lines_joins_their_keys(texts: list[str]) -> None:
    # drop_repeated_paragraphs builds a paragraph's key from its lines' cached keys
    assert paragraph_key(" ".join(texts)) == " ".join(key for key in map(paragraph_key, texts) if key)
