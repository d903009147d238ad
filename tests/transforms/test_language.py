"""detect_language: ISO codes for clear texts, None for short or unsure ones."""

from __future__ import annotations

import pytest
from docclean.transforms.language import detect_language

ENGLISH = (
    "The council met on Monday to discuss the new budget. Residents asked why the library would "
    "close early on weekends, and the mayor promised an answer before the end of the month. "
)
GERMAN = (
    "Der Stadtrat hat am Montag über den neuen Haushalt beraten. Viele Bürger wollten wissen, warum "
    "die Bibliothek am Wochenende früher schließen soll, und der Bürgermeister versprach eine Antwort. "
)
FRENCH = (
    "Le conseil municipal s'est réuni lundi pour discuter du nouveau budget. Les habitants ont demandé "
    "pourquoi la bibliothèque fermerait plus tôt le week-end, et le maire a promis une réponse. "
)
SPANISH = (
    "El ayuntamiento se reunió el lunes para hablar del nuevo presupuesto. Los vecinos preguntaron por "
    "qué la biblioteca cerraría antes los fines de semana, y el alcalde prometió una respuesta pronto. "
)


@pytest.mark.parametrize(
    ("text", "code"),
    [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr"), (SPANISH, "es"), (ENGLISH * 10, "en"), (GERMAN * 10, "de")],
)
def test_clear_texts_get_their_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_short_text_gets_none() -> None:
    assert detect_language("Read more") is None
    assert detect_language("   \n  ") is None


def test_the_text_after_a_short_opening_decides_when_the_opening_is_unsure() -> None:
    # English page furniture, then German prose: the first 400 characters alone lean to no clear
    # language (py3langid: "pcm", p 0.31), so the 1,500-character sample decides.
    opening = "Home | News | Sport | Weather | Video | Live | Login | " * 8
    assert detect_language(opening[:390] + " " + GERMAN * 5) == "de"
