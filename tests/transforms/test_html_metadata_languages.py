"""Page metadata in many languages: titles without the site's name, people apart from agencies,
dates with their offset. Every fixture is written for this test (no page of a dev set)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from docclean.transforms.html import parse_html
from docclean.transforms.html_metadata import extract_metadata
from docclean.transforms.models import DocumentHints

_BODY = "<p>{prose}</p><p>{prose}</p>"


@dataclass(frozen=True)
class Case:
    lang: str
    title_tag: str
    site: str
    h1: str
    byline: str
    date: str  # what the page declares (article:published_time), "" for none
    title: str
    authors: list[str]
    orgs: list[str]
    published_at: datetime | None
    offset: int | None = None
    date_only: bool = False


CASES = [
    Case("de", "Hafen: Arbeiten verzögern sich erneut – Hafenblatt", "Hafenblatt",
         "<span>Nationale Demo</span><span>Hafen: Arbeiten verzögern sich erneut</span>",
         "<p class='byline'>Von David Straub und Lena Meier</p>", "2024-03-05T18:30:00+01:00",
         "Hafen: Arbeiten verzögern sich erneut", ["David Straub", "Lena Meier"], [], datetime(2024, 3, 5, 18, 30), 60),
    Case("de", "Stadtrat beschließt neue Brücke | Tagesblatt", "Tagesblatt", "Stadtrat beschließt neue Brücke",
         "<p class='byline'>Von Max Muster (mm) und dpa</p>", "2024-03-05",
         "Stadtrat beschließt neue Brücke", ["Max Muster"], ["dpa"], datetime(2024, 3, 5), None, True),
    Case("fr", "Le marché reprend ses droits — Journal du Port", "Journal du Port", "Le marché reprend ses droits",
         "<p class='author'>Par Claire Martin et Paul Durand</p>", "2022-06-14T07:00:00+02:00",
         "Le marché reprend ses droits", ["Claire Martin", "Paul Durand"], [], datetime(2022, 6, 14, 7, 0), 120),
    Case("es", "El puerto retrasa las obras | Diario del Puerto", "Diario del Puerto", "El puerto retrasa las obras",
         "<p class='byline'>Por Ana López y Juan Pérez</p>", "2023-01-20T09:15:00-03:00",
         "El puerto retrasa las obras", ["Ana López", "Juan Pérez"], [], datetime(2023, 1, 20, 9, 15), -180),
    Case("es", "Un filósofo en el puerto - Diario del Puerto", "Diario del Puerto", "Un filósofo en el puerto",
         "<p class='byline'>Por José Ortega y Gasset</p>", "",
         "Un filósofo en el puerto", ["José Ortega y Gasset"], [], None),
    Case("it", "Il porto rinvia i lavori - Gazzetta del Porto", "Gazzetta del Porto", "Il porto rinvia i lavori",
         "<p class='autore'>Di Marco Rossi e Giulia Bianchi</p>", "2021-11-02T10:00:00Z",
         "Il porto rinvia i lavori", ["Marco Rossi", "Giulia Bianchi"], [], datetime(2021, 11, 2, 10, 0), 0),
    Case("pt", "Obras no porto atrasam · Diário do Porto", "Diário do Porto", "Obras no porto atrasam",
         "<p class='byline'>Por Maria Silva (Lusa)</p>", "",
         "Obras no porto atrasam", ["Maria Silva"], ["Lusa"], None),
    Case("nl", "Havenwerken lopen opnieuw vertraging op | Havenkrant", "Havenkrant",
         "Havenwerken lopen opnieuw vertraging op",
         "<p class='byline'>Door Pieter de Vries en Anna Bakker</p>", "2020-05-04T12:00:00+02:00",
         "Havenwerken lopen opnieuw vertraging op", ["Pieter de Vries", "Anna Bakker"], [],
         datetime(2020, 5, 4, 12), 120),
    Case("no", "Havnearbeidet forsinkes igjen – Havneposten", "Havneposten", "Havnearbeidet forsinkes igjen",
         "<p class='byline'>Av Ola Nordmann og Kari Hansen, NTB</p>", "",
         "Havnearbeidet forsinkes igjen", ["Ola Nordmann", "Kari Hansen"], ["NTB"], None),
    Case("sv", "Hamnbygget försenas igen | Hamnbladet", "Hamnbladet", "Hamnbygget försenas igen",
         "<p class='byline'>Text: Sven Svensson</p>", "",
         "Hamnbygget försenas igen", ["Sven Svensson"], [], None),
    Case("da", "Havnebyggeriet er forsinket igen - Havnebladet", "Havnebladet", "Havnebyggeriet er forsinket igen",
         "<p class='byline'>Af Mette Jensen, Ritzau</p>", "",
         "Havnebyggeriet er forsinket igen", ["Mette Jensen"], ["Ritzau"], None),
    Case("pl", "Prace w porcie znów opóźnione | Gazeta Portowa", "Gazeta Portowa", "Prace w porcie znów opóźnione",
         "<p class='byline'>Autor: Jan Kowalski i Anna Nowak</p>", "",
         "Prace w porcie znów opóźnione", ["Jan Kowalski", "Anna Nowak"], [], None),
    Case("ja", "東京で大雪、交通に乱れ｜日本新聞", "日本新聞", "東京で大雪、交通に乱れ",
         "<p class='author'>山田太郎記者</p>", "2024-02-05T21:00:00+09:00",
         "東京で大雪、交通に乱れ", ["山田太郎"], [], datetime(2024, 2, 5, 21, 0), 540),
    Case("ko", "서울 첫눈, 출근길 혼잡 ㅣ 한국일보", "한국일보", "서울 첫눈, 출근길 혼잡",
         "<p class='byline'>홍길동 기자</p>", "2023-12-01T08:00:00+09:00",
         "서울 첫눈, 출근길 혼잡", ["홍길동"], [], datetime(2023, 12, 1, 8, 0), 540),
    Case("zh", "港口工程再次延误丨新华网", "新华网", "港口工程再次延误",
         "<p class='author'>记者 张伟</p>", "2022-08-08",
         "港口工程再次延误", ["张伟"], [], datetime(2022, 8, 8), None, True),
    Case("en", "Dietitians weigh in on breakfast | Health Weekly", "Health Weekly", "Dietitians weigh in on breakfast",
         "<p class='byline'>By Dylan Bailey, MS, RD, FAND</p>", "",
         "Dietitians weigh in on breakfast", ["Dylan Bailey"], [], None),
    Case("en", "Storm closes the pier | Harbour Times", "Harbour Times", "Storm closes the pier",
         "<div class='byline'>By Jo Lee, Times Staff Writer</div>", "",
         "Storm closes the pier", ["Jo Lee"], [], None),
]  # fmt: skip


def _page(case: Case) -> str:
    prose = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 3
    date = f'<meta property="article:published_time" content="{case.date}">' if case.date else ""
    return (
        f'<html lang="{case.lang}"><head><title>{case.title_tag}</title>'
        f'<meta property="og:site_name" content="{case.site}">{date}</head>'
        f"<body><article><h1>{case.h1}</h1>{case.byline}{_BODY.format(prose=prose)}</article></body></html>"
    )


def _hints(case: Case) -> DocumentHints:
    tree = parse_html(_page(case))
    assert tree is not None
    return extract_metadata(tree)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.lang}-{c.title[:20]}")
def test_title(case: Case) -> None:
    assert _hints(case).title == case.title


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.lang}-{c.title[:20]}")
def test_people_and_organisations(case: Case) -> None:
    hints = _hints(case)
    assert (hints.authors, hints.author_orgs) == (case.authors, case.orgs)


@pytest.mark.parametrize("case", [c for c in CASES if c.date], ids=lambda c: f"{c.lang}-{c.date}")
def test_date_offset_and_date_only(case: Case) -> None:
    hints = _hints(case)
    assert (hints.published_at, hints.published_utc_offset, hints.published_date_only) == (
        case.published_at,
        case.offset,
        case.date_only,
    )


def test_ten_languages_at_least() -> None:
    assert len({c.lang for c in CASES} - {"en"}) >= 10
