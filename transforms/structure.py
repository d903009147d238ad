"""Structural rules: headline, standfirst and repeated paragraphs, found by position and shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docclean.transforms.html_title import strip_site_suffix
from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.normalize import paragraph_key
from docclean.transforms.prose import prose_settings
from docclean.transforms.ruleset import Rule, RuleSet


def looks_like_headline(line: Line, rule: Rule) -> bool:
    """A short line with at least two words that does not end like a sentence (the `title`
    rule's `max_words`, `sentence_endings`, and `closing_marks` looked through at the end)."""
    max_words = rule.param("max_words", 25)
    if line.rendered.is_heading:
        return 1 <= line.words <= max_words
    text = line.text.rstrip(rule.param("closing_marks", ""))
    return 2 <= line.words <= max_words and not text.endswith(tuple(rule.param("sentence_endings", ())))


def extract_title(doc: LineDocument, ruleset: RuleSet, hint: str | None) -> tuple[str | None, Line | None]:
    """Find the headline; remove it and its repeats from the body.

    With a title from metadata (HTML, JSONL) every line equal to it is a repeat. Otherwise the
    headline is the first kept paragraph when it is a single heading-shaped line that the body
    is about, else the line `headline_above_body` finds on a whole page.
    """
    rule = ruleset.get("title")
    title, title_line = hint, None
    if title is None:
        title_line, title = _headline(doc, ruleset, rule)
    if not title:
        return None, None
    key = paragraph_key(title)
    repeat = ruleset.get("repeated_title")
    for line in doc.lines:
        if line.kept and line.key == key:
            if title_line is None and hint is not None:
                title_line = line
            doc.remove(line, repeat.id, repeat.reason)
    return title, title_line


def _headline(doc: LineDocument, ruleset: RuleSet, rule: Rule) -> tuple[Line | None, str | None]:
    """The headline line of a document without a declared title, removed as `title`, and its text."""
    paragraphs = doc.kept_paragraphs()
    first = paragraphs[0] if paragraphs else []
    opening = first[0] if len(first) == 1 and looks_like_headline(first[0], rule) else None
    body = _Body.of(doc, rule, ruleset)
    found = headline_above_body(body, rule) if body is not None else None
    # A page's first kept line may be a banner ("About this capture") the body never mentions.
    if opening is not None and (found is None or body is None or body.about(opening.text) > 0):
        found = opening
    if found is None:
        return None, None
    found.removed_by = None  # dropped as page furniture, it is the headline: say so in `removals`
    doc.remove(found, rule.id, rule.reason)
    if found is opening:
        return found, found.text
    # a page's <title> line or a headline the CMS suffixed: " | Site" is no part of it
    return found, strip_site_suffix(found.text, None, ruleset=ruleset)


@dataclass(slots=True)
class _Body:
    """The lines of a page with text, where its first line of prose is, and its opening text."""

    lines: list[Line]
    start: int
    text: str  # casefolded, punctuation as spaces, padded: " word word "
    stop_words: frozenset[str]
    shortest: int

    @classmethod
    def of(cls, doc: LineDocument, rule: Rule, ruleset: RuleSet) -> _Body | None:
        lines = [line for line in doc.lines if line.text]
        min_words = rule.param("body_min_words", 12)
        start = next((i for i, line in enumerate(lines) if line.kept and line.words >= min_words), None)
        if start is None:
            return None
        # A headline's words come back early in the article: its opening lines are enough.
        opening = " ".join(line.text for line in lines[start : start + rule.param("body_lines", 40)] if line.kept)
        text = " " + _PUNCTUATION.sub(" ", opening.casefold()) + " "
        stop_words = ruleset.derived(prose_settings).stop_words
        return cls(lines, start, text, stop_words, rule.param("content_word_chars", 4))

    def about(self, text: str) -> float:
        """The share of `text`'s content words (long enough, not stop words) the body's opening
        uses; 0 with fewer than two."""
        words = {w for w in _PUNCTUATION.sub(" ", text.casefold()).split() if len(w) >= self.shortest}
        words -= self.stop_words
        return sum(f" {w} " in self.text for w in words) / len(words) if len(words) >= 2 else 0.0


# Punctuation around and inside words, as spaces (a regex: str.translate is 5x slower here).
_PUNCTUATION = re.compile(r"[\"'“”‘’()\[\]{}«»,.;:!?¿¡—–\-|/*#]+")


def headline_above_body(body: _Body, rule: Rule) -> Line | None:
    """On a whole page: the heading-shaped line above the article's first line of prose whose
    content words the article uses most (then a markdown heading, then the nearest), among the
    kept lines and those the prose region dropped as page furniture. List items and lines other
    rules removed (bylines, dates, the site template) are no headline.

    A flattened page opens with menus, banners and teasers, which the prose region removes
    together with the headline above the body; of those short lines, the headline is the one
    whose content words the article goes on to use.
    """
    furniture = set(rule.param("furniture_rules", ()))
    best, best_key = None, (rule.param("min_body_overlap", 0.5), False, -1)
    for i in range(max(0, body.start - rule.param("lookback_lines", 30)), body.start):
        line = body.lines[i]
        if line.rendered.is_list_item or not (line.removed_by is None or line.removed_by in furniture):
            continue
        if not looks_like_headline(line, rule):
            continue
        key = (body.about(line.text), line.rendered.is_heading, i)
        if key >= best_key:
            best, best_key = line, key
    return best


def extract_subtitle(doc: LineDocument, ruleset: RuleSet, title_line: Line | None) -> str | None:
    """The standfirst: a one-line paragraph right after the headline, before header furniture."""
    if title_line is None:
        return None
    rule = ruleset.get("subtitle")
    paragraphs = [p for p in doc.paragraphs() if p[0].para > title_line.para]
    if len(paragraphs) < 2:
        return None
    candidate, following = paragraphs[0], paragraphs[1]
    kept = [line for line in candidate if line.kept]
    if len(kept) != 1 or len(candidate) != 1 or kept[0].words > rule.param("max_words", 40):
        return None
    if following[0].removed_by not in rule.param("header_furniture_rules", ()):
        return None
    doc.remove(kept[0], rule.id, rule.reason)
    return kept[0].text


def drop_repeated_paragraphs(doc: LineDocument, ruleset: RuleSet) -> None:
    """Keep the first copy of a paragraph that occurs again in the same document."""
    rule = ruleset.get("repeated_paragraph")
    min_words = rule.param("min_words", 7)
    seen: set[str] = set()
    for para in doc.kept_paragraphs():
        if sum(line.words for line in para) < min_words:
            continue  # short labels legitimately repeat ("Key points:", "Rating: 4.8")
        # paragraph_key of the lines joined by spaces: words never span the join
        key = " ".join(line.key for line in para if line.key)
        if not key:
            continue
        if key in seen:
            for line in para:
                doc.remove(line, rule.id, rule.reason)
        seen.add(key)
