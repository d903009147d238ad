"""Marks of program code in flattened text."""

from __future__ import annotations

from docclean.transforms.code_text import code_marks


def test_script_and_style_have_code_marks() -> None:
    assert code_marks("if (window.ads) { loadAds(); } var slot = 'top';") >= 5
    assert code_marks(".story h2 { margin: 0; padding: 4px; }") == 4


def test_prose_has_none() -> None:
    assert code_marks("The council met on Monday; the vote (a close one) was taken at noon.") == 0
    assert code_marks("Revenue = price x volume, the minister said.") == 1  # one mark is no code
