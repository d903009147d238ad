"""The headline of an HTML page: the visible <h1> when it is one, else the declared title."""

from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy
from docclean.transforms.html_page import clean, element_text, ld_articles, unescape, word_key
from docclean.transforms.html_vocabulary import MetadataVocabulary, metadata_vocabulary
from docclean.transforms.ruleset import RuleSet
from lxml.html import HtmlElement

# Word overlap below this with the best declared title: on WCXB-dev articles such an <h1> was
# the headline on 9 pages and a site, blog or section name on about 50.
MIN_H1_OVERLAP = 0.15


def page_title(
    tree: HtmlElement,
    meta: dict[str, str],
    ld: list[dict],
    site: str | None,
    vocabulary: MetadataVocabulary,
    host: str | None = None,
) -> str | None:
    """The visible headline: the page's <h1> when it is one, else og:title / JSON-LD / <title>.

    SEO titles (og:title, <title>) are often reworded versions of the headline readers see, so
    an <h1> wins; but an <h1> that shares almost no word with the declared title is a logo, a
    blog or section name or a pull quote, not the headline, and does not count. `host` (the
    page's, without `www.`) is cut off too where the site's name was not it ("Name | name.com - ").
    """
    names = SiteNames(site, host if host != site else None)
    candidates = _declared_titles(tree, meta, ld, names, vocabulary)
    h1s = _headline_h1s(tree, names, vocabulary)
    for h1 in h1s:
        for candidate in candidates:
            if _same_title(h1, candidate):
                # An <h1> element that also holds the dateline ("Dec 18 2025 Headline",
                # "Headline Posted on July 1, 2024 by ...") is the declared title plus noise.
                extra = word_key(h1).replace(word_key(candidate), " ")
                with_dateline = extra != word_key(h1) and vocabulary.dateline.search(extra)
                # "Nationale Demo Der 9. Juli …": a kicker (topline) before the declared headline.
                with_kicker = word_key(h1) != word_key(candidate) and word_key(h1).endswith(word_key(candidate))
                return _repair(candidate if with_dateline or with_kicker else h1)
    if candidates:
        # Compared with the best declared title, not any: a <title> often holds the site's name,
        # which is what such an <h1> may be.
        h1s = [h1 for h1 in h1s if _overlap(h1, candidates[0]) >= MIN_H1_OVERLAP]
    if len(h1s) == 1:
        return _repair(h1s[0])
    if candidates:
        return _repair(candidates[0])
    return _repair(h1s[0]) if h1s else None


@dataclass(frozen=True, slots=True)
class SiteNames:
    """The names a title may carry its site under: the declared one, then the page's host."""

    site: str | None
    host: str | None = None

    def strip(self, title: str | None, *, guess: bool, vocabulary: MetadataVocabulary) -> str | None:
        """`strip_site_suffix` with the site's name (guessing if asked), then again with its name
        and the host's alone: a title may name the site twice ("Name | name.com - Headline")."""
        title = strip_site_suffix(title, self.site, guess=guess, vocabulary=vocabulary)
        for name in (self.site, self.host):
            if name:
                title = strip_site_suffix(title, name, guess=False, vocabulary=vocabulary)
        return title


def _declared_titles(
    tree: HtmlElement, meta: dict[str, str], ld: list[dict], names: SiteNames, vocabulary: MetadataVocabulary
) -> list[str]:
    """og:title, JSON-LD headlines, twitter:title and <title>, best first, the site name cut off."""
    title_element = tree.find(".//title")
    declared = [
        clean(meta.get("og:title")),
        *(clean(item.get("headline")) for item in ld_articles(ld, vocabulary)),
        clean(meta.get("twitter:title")),
        element_text(title_element) if title_element is not None else None,
    ]
    stripped = (names.strip(unescape(d), guess=True, vocabulary=vocabulary) for d in declared if d)
    return [c for c in stripped if c and not junk_title(c, vocabulary)]


def _headline_h1s(tree: HtmlElement, names: SiteNames, vocabulary: MetadataVocabulary) -> list[str]:
    """Texts of the page's <h1> elements that could be a headline (not the site's name)."""
    site_key = word_key(names.site or "")
    out = []
    for h1 in (headline_text(h) for h in tree.iter("h1")):
        # A headline the CMS suffixed with the site name, like its <title>; a pipe is SEO
        # formatting in a visible headline too ("Headline | Opinion", "Headline | Top 19 Picks").
        h1 = names.strip(h1, guess=bool(h1 and " | " in h1), vocabulary=vocabulary)
        if h1 and 2 <= len(h1.split()) <= 40 and word_key(h1) != site_key and not junk_title(h1, vocabulary):
            out.append(h1)
    return out


# Raw markup where text should start: '<script type="text/javascript">', "</div>" ("30 Years
# of <br> Tags" is a headline).
_MARKUP = re.compile(r"\s*<\s*/?\s*[a-zA-Z][\w:-]*(?:\s+[\w:-]+\s*=|\s*/?>)")


def junk_title(title: str, vocabulary: MetadataVocabulary) -> bool:
    """A title that is no headline: a time stamp ("| 12:26 PM PDT, September 10, 2005 |"), an
    agency's name alone ("ASSOCIATED PRESS"), page furniture ("hide topics") or raw markup."""
    key = word_key(title)
    if not key or key in vocabulary.agency_names or key in vocabulary.title_ui_phrases or _MARKUP.match(title):
        return True
    stamp = vocabulary.time_words | vocabulary.date_words
    words = key.split()
    # "001" may be a title; "10:30" and "Sept. 10, 2005" are not.
    return all(w.isdigit() or w in stamp for w in words) and (":" in title or any(w in stamp for w in words))


# A kicker in a <span> of its own, no space before the headline: "Nationale Demo<span>Der 9. Juli".
_SEAM_LEFT = re.compile(r"\w{3,}[.!?:]?$")
_SEAM_RIGHT = re.compile(r"^[A-ZÀ-ÖØ-Þ]\w")


def headline_text(element: HtmlElement) -> str | None:
    """An <h1>'s text, a space put where one child element's text ends a word in lower case
    and the next starts with a capital: a kicker and its headline, which CSS shows apart.

    >>> from lxml.html import fragment_fromstring
    >>> headline_text(fragment_fromstring("<h1><span>Nationale Demo</span><span>Der 9. Juli</span></h1>"))
    'Nationale Demo Der 9. Juli'
    >>> headline_text(fragment_fromstring("<h1>The <b>i</b>Phone at <i>Mc</i>Donald's</h1>"))
    "The iPhone at McDonald's"
    """
    pieces = [t for t in element.itertext() if t]
    out: list[str] = []
    for piece in pieces:
        if out and not out[-1][-1:].isspace() and not piece[:1].isspace():
            last = out[-1]
            if _SEAM_LEFT.search(last) and last.rstrip(".!?:")[-1:].islower() and _SEAM_RIGHT.match(piece):
                out.append(" ")
        out.append(piece)
    return clean("".join(out))


def _repair(text: str | None) -> str | None:
    """Mojibake in a title ("Investorâs") is the page's fault, not the headline's; its curly
    quotes are the headline's own and stay."""
    return ftfy.fix_text(text, uncurl_quotes=False) if text and not text.isascii() else text


def _same_title(a: str, b: str) -> bool:
    ka, kb = word_key(a), word_key(b)
    return bool(ka) and (ka == kb or (len(ka) > 15 and (ka in kb or kb in ka)))


def _overlap(a: str, b: str) -> float:
    """Jaccard overlap of the two titles' word sets."""
    wa, wb = set(word_key(a).split()), set(word_key(b).split())
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def strip_site_suffix(
    title: str | None,
    site: str | None,
    *,
    guess: bool = True,
    vocabulary: MetadataVocabulary | None = None,
    ruleset: RuleSet | None = None,
) -> str | None:
    """Drop a " | Site" or " - Site" suffix (or "Site | " prefix).

    With `guess`, a short last part ("| Acme News") counts as the site even when it does not
    match `site`; without it, only the site's own name is dropped. The separators are the
    `title_separators` of `vocabulary`, else of `ruleset`, else of the packaged rules.
    """
    if not title:
        return None
    vocabulary = vocabulary or metadata_vocabulary(ruleset)
    parts = vocabulary.title_separator.split(title)
    if len(parts) < 2:
        return title
    site_key = word_key(site or "")
    last, first = word_key(parts[-1]), word_key(parts[0])
    if _names_site(last, site_key):
        return vocabulary.title_separator.split(title, maxsplit=len(parts) - 2)[0] if len(parts) > 2 else parts[0]
    if _names_site(first, site_key) and (first == site_key or len(first.replace(" ", "")) >= 4):
        return title[len(parts[0]) :].lstrip(vocabulary.title_edge)
    # No site name to compare with: a short last part ("| Acme News") is still the site.
    if guess and len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 3:
        return " - ".join(parts[:-1]) if len(parts) > 2 else parts[0]
    # CJK titles have no spaces to count words by: after a wide separator ("｜"), a last part
    # shorter than the headline is the site.
    if guess and len(parts) == 2 and vocabulary.wide_title_separator.search(title) and len(parts[1]) < len(parts[0]):
        return parts[0]
    return title


def _names_site(part_key: str, site_key: str) -> bool:
    """A title part (as `word_key`) that is the site's name: its words, or them written together
    as in the host ("Newegg.com" for promotions.newegg.com, "Playful Tones" for playfultones.com).
    Written together, the part must start where one of the site's words starts: "Our Times" is
    not harbourtimes.com."""
    if not part_key or not site_key:
        return False
    if part_key == site_key or f" {site_key} " in f" {part_key} ":
        return True
    squeezed, site_squeezed = part_key.replace(" ", ""), site_key.replace(" ", "")
    if len(squeezed) < 4 and " " in part_key:
        return False
    starts = [0] + [m.start() - i for i, m in enumerate(re.finditer(" ", site_key))]
    return any(site_squeezed.startswith(squeezed, start) for start in starts)
