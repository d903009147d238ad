"""Structural rules: headline, standfirst and repeated paragraphs, found by position and shape."""

from __future__ import annotations

from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.normalize import paragraph_key
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
    headline is the first kept paragraph when it is a single heading-shaped line.
    """
    rule = ruleset.get("title")
    title, title_line = hint, None
    if title is None:
        paragraphs = doc.kept_paragraphs()
        first = paragraphs[0] if paragraphs else []
        if len(first) == 1 and looks_like_headline(first[0], rule):
            title_line = first[0]
            title = title_line.text
            doc.remove(title_line, rule.id, rule.reason)
    if not title:
        return None, None
    key = paragraph_key(title)
    repeat = ruleset.get("repeated_title")
    for line in doc.lines:
        if line.kept and paragraph_key(line.text) == key:
            if title_line is None and hint is not None:
                title_line = line
            doc.remove(line, repeat.id, repeat.reason)
    return title, title_line


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
        key = paragraph_key(" ".join(line.text for line in para))
        if not key:
            continue
        if key in seen:
            for line in para:
                doc.remove(line, rule.id, rule.reason)
        seen.add(key)
