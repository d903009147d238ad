"""Clean one document: the order of steps, in one place.

    prepare (ftfy, NFC, whitespace) -> lines with markdown reduced -> pattern rules (blocks,
    credits, bylines, navigation) -> site template (with a profile) -> prose region (page
    furniture) -> headline and standfirst -> repeated paragraphs -> body.

Every step marks what it removes with a rule id; `CleanDocument.removals` lists them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from docclean.transforms.boilerplate import apply_pattern_rules, strip_blocks
from docclean.transforms.language import detect_language
from docclean.transforms.layout import detect_layout
from docclean.transforms.lines import Line, LineDocument
from docclean.transforms.models import CleanDocument, DocumentHints, Removal
from docclean.transforms.normalize import prepare_text
from docclean.transforms.prose import prose_settings, strip_low_prose, words_of_page
from docclean.transforms.ruleset import RuleSet, default_ruleset
from docclean.transforms.stop_words import PageWords
from docclean.transforms.structure import drop_repeated_paragraphs, extract_subtitle, extract_title
from docclean.transforms.templates import SiteProfile, strip_site_template


def clean_document(
    text: str,
    *,
    hints: DocumentHints | None = None,
    ruleset: RuleSet | None = None,
    prior_removals: Sequence[Removal] = (),
    site_profile: SiteProfile | None = None,
    detect_prose: bool = True,
    markdown: bool = True,
    record_syntax: bool = True,
    text_layout: str | None = None,
    detect_lang: bool = True,
) -> CleanDocument:
    """Strip boilerplate from one document's text and extract its metadata.

    `prior_removals` are spans an earlier stage dropped (e.g. HTML elements); they are reported
    first. Metadata in `hints` wins over what the text says, except authors and date, which
    the text supplies when the hints have none. `site_profile` enables the site-template step;
    `detect_prose` the prose-region step (off for text an HTML extractor already reduced to the
    article); `markdown=False` takes the text literally instead of reducing markdown syntax;
    `record_syntax=False` reduces it without reporting it (markdown an HTML extractor wrote).
    `text_layout` is recorded instead of the layout read from the text (`html` for a page the
    extractor flattened). `detect_lang=False` leaves `language` to the hints: a batch names the
    languages of all its texts afterwards, in one pass (`transforms.language.detect_languages`).

    >>> doc = clean_document("Big News Today\\n\\nBy Jane Doe\\n\\nThe council met on Monday.")
    >>> doc.title, doc.authors, doc.text
    ('Big News Today', ['Jane Doe'], 'The council met on Monday.')
    """
    hints = hints or DocumentHints()
    ruleset = ruleset or default_ruleset()
    prepared = prepare_text(text)
    doc = LineDocument.parse(prepared, markdown=markdown)

    facts = apply_pattern_rules(doc, ruleset)
    # After bylines (their authors and dates become metadata) and before the headline, so the
    # headline is looked for in the page with its furniture gone.
    if site_profile is not None:
        strip_site_template(doc, site_profile, ruleset.get("site_template"))
    page_words = None
    if detect_prose:
        settings = ruleset.derived(prose_settings)
        page_words = words_of_page(doc, settings)  # found once: the step runs again below
        strip_low_prose(doc, ruleset.get("low_prose"), settings, page_words=page_words)
    title, subtitle = _headline_and_repeats(doc, ruleset, hints.title, page_words)

    body = doc.body()
    return CleanDocument(
        text=body,
        title=title,
        subtitle=subtitle,
        authors=hints.authors or facts.authors,
        published_at=hints.published_at or facts.published_at,
        language=hints.language or (detect_language(body) if detect_lang else None),
        removals=[*prior_removals, *doc.removals(ruleset.reasons(), syntax=record_syntax)],
        source_chars=len(prepared),
        text_layout=text_layout or doc.layout,
    )


def _headline_and_repeats(
    doc: LineDocument, ruleset: RuleSet, hint: str | None, page_words: PageWords | None
) -> tuple[str | None, str | None]:
    """Remove the headline, standfirst and repeated paragraphs; the title and subtitle.
    `page_words`: the page's stop words, for the prose step (None: no prose step)."""
    kept = [line for line in doc.lines if line.kept]  # what the prose step saw and kept
    title, title_line = extract_title(doc, ruleset, hint)
    subtitle = extract_subtitle(doc, ruleset, title_line)
    drop_repeated_paragraphs(doc, ruleset)
    # Once more, as a second pass would read the output: the prose region without the lines
    # taken since it was found (the headline, its repeats, a repeated paragraph could split a run
    # of labels or hold a place above the article); a call to action that shared its paragraph
    # with lines removed since (a byline, page furniture) now stands alone. What is left may
    # repeat another paragraph, and when the headline was under what went, the page opens with
    # it now: look again. (Bounded: a round that removes nothing ends it.)
    for _ in range(3):
        prose = page_words is not None and _prose_without(doc, ruleset, kept, page_words)
        if not (_strip_blocks_as_output(doc, ruleset) or prose):
            break
        drop_repeated_paragraphs(doc, ruleset)
        if title is None:
            title, title_line = extract_title(doc, ruleset, None)
            subtitle = extract_subtitle(doc, ruleset, title_line)
    return title, subtitle


def _strip_blocks_as_output(doc: LineDocument, ruleset: RuleSet) -> bool:
    """Block rules walked in the layout the output reads as (markdown whose links went with the
    byline reads as WET); whether they removed anything."""
    kept = sum(line.kept for line in doc.lines)
    strip_blocks(doc, ruleset.by_kind("block"), layout=detect_layout(doc.body().split("\n")).style)
    return sum(line.kept for line in doc.lines) < kept


def _prose_without(doc: LineDocument, ruleset: RuleSet, kept: list[Line], page_words: PageWords) -> bool:
    """The prose step again, the lines of `kept` removed since read as not there (a second pass
    never sees them); whether it removed anything."""
    gone = {id(line) for line in kept if not line.kept}
    if not gone:
        return False
    before = sum(line.kept for line in doc.lines)
    settings = ruleset.derived(prose_settings)
    strip_low_prose(doc, ruleset.get("low_prose"), settings, absent=gone, page_words=page_words)
    return sum(line.kept for line in doc.lines) < before
