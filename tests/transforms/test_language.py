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


# Written for this test: the same council story in more languages and scripts, including the
# close Scandinavian ones.
MORE_LANGUAGES = {
    "it": "Il consiglio comunale si è riunito lunedì per discutere il nuovo bilancio. I cittadini hanno "
    "chiesto perché la biblioteca chiuderà prima nei fine settimana.",
    "pt": "A câmara municipal reuniu-se na segunda-feira para discutir o novo orçamento. Os moradores "
    "perguntaram por que a biblioteca vai fechar mais cedo aos fins de semana.",
    "nl": "De gemeenteraad kwam maandag bijeen om de nieuwe begroting te bespreken. Bewoners vroegen "
    "waarom de bibliotheek in het weekend eerder dichtgaat.",
    "sv": "Kommunfullmäktige samlades på måndagen för att diskutera den nya budgeten. Invånarna frågade "
    "varför biblioteket ska stänga tidigare på helgerna.",
    "no": "Bystyret møttes mandag for å diskutere det nye budsjettet. Innbyggerne spurte hvorfor "
    "biblioteket skal stenge tidligere i helgene.",
    "pl": "Rada miasta zebrała się w poniedziałek, aby omówić nowy budżet. Mieszkańcy pytali, dlaczego "
    "biblioteka będzie zamykana wcześniej w weekendy.",
    "ru": "Городской совет собрался в понедельник, чтобы обсудить новый бюджет. Жители спрашивали, "
    "почему библиотека будет закрываться раньше по выходным.",
    "ja": "市議会は月曜日に新しい予算について話し合った。住民は、なぜ図書館が週末に早く閉まるのかと質問した。",
    "ko": "시의회는 월요일에 새 예산을 논의하기 위해 모였다. 주민들은 왜 도서관이 주말에 일찍 문을 닫는지 물었다.",
    "zh": "市议会周一开会讨论新的预算。居民们询问为什么图书馆周末要提前关门，市长承诺月底前给出答复。",
}


@pytest.mark.parametrize(("code", "text"), sorted(MORE_LANGUAGES.items()))
def test_more_languages_and_scripts(code: str, text: str) -> None:
    assert detect_language(text) == code


def test_line_breaks_do_not_cut_the_sample() -> None:
    # fastText reads one line: the German after an English first line must still be read.
    assert detect_language("Latest news and weather\n" + GERMAN.replace(". ", ".\n")) == "de"


def test_a_lone_surrogate_does_not_stop_detection() -> None:
    # Valid in a Python str (JSON "\\ud800"), not encodable as UTF-8, which fastText needs.
    assert detect_language(ENGLISH.replace("library", "library \ud800")) == "en"


def test_short_text_gets_none() -> None:
    assert detect_language("Read more") is None
    assert detect_language("   \n  ") is None


def test_the_text_after_a_short_opening_decides_when_the_opening_is_unsure() -> None:
    # English page furniture, then German prose: the first 400 characters alone are no clear
    # language, so the 1,500-character sample decides.
    opening = "Home | News | Sport | Weather | Video | Live | Login | " * 8
    assert detect_language(opening[:390] + " " + GERMAN * 5) == "de"
