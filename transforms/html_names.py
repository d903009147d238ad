"""Names in an author value: split, cleaned, and sorted into people and organisations.

An author value is what a page gives as its byline ("Von Dario Strohm und dpa", "Jo Lee, MS,
RD", "Podium Staff"). `split_names` cuts it into name-like parts: byline labels ("Par", "Av",
"記者"), job titles ("Staff Writer"), credentials ("MS, RD"), initials codes ("(obm)"), follow
buttons ("Folgen") and place names ("LONDON") are not names. `sort_names` then tells people from
organisations: news agencies ("dpa", "Associated Press"), newsrooms ("Redaktion"), team bylines
("Podium Staff", "The Upwork Team", "Our Editors") and the site or publisher itself.

The words are the `[words]` of `transforms/rules/bylines.toml`, passed in as a
`MetadataVocabulary`; the regexes here encode only structure.
"""

from __future__ import annotations

import re

from docclean.transforms.html_page import clean, unescape, word_key
from docclean.transforms.html_vocabulary import MetadataVocabulary

_INITIAL = re.compile(r"\b[A-Z]\.$")  # "Jeff T.": the dot is the name's own
# A name has at most this many words in lower case ("Maria de la Cruz"), and does not start in
# capitals to end in lower case; more is a sentence ("Learn about our editorial policies").
_MAX_LOWER_WORDS = 2


def split_names(raw: str, vocabulary: MetadataVocabulary, *, split: bool = True) -> list[str]:
    """Name-like parts of a byline or meta value; URLs, e-mail addresses, comment bylines
    ("Jo says"), roles ("Staff Writer"), credentials ("MS, RD"), initials codes ("(obm)"),
    follow buttons ("Folgen"), places and sentences are dropped; team bylines ("Podium
    Staff") stay, for `sort_names` to call organisations."""
    raw = _strip_prefix(unescape(clean(raw) or ""), vocabulary)
    if not raw or "://" in raw or raw.startswith(("@", "www.")) or len(raw) > 120:
        return []
    raw = vocabulary.paren_code.sub(lambda m: _paren(m, vocabulary), raw)
    out: list[str] = []
    edge = vocabulary.name_edge
    for part in _split_parts(raw, vocabulary) if split else [raw]:
        part = _strip_prefix(part.strip(edge), vocabulary).strip(edge)
        part = vocabulary.byline_suffix.sub("", part).strip(edge)
        part = vocabulary.trailing_junk.sub("", part).strip(edge)
        if part.endswith(".") and not _INITIAL.search(part):  # keep an initial's dot: "Jeff T."
            part = part[:-1]
        if (is_team(part, vocabulary) or _is_name_part(part, vocabulary)) and part not in out:
            out.append(part)
    return out


def sort_names(
    names: list[tuple[str, bool]], publisher: set[str], vocabulary: MetadataVocabulary
) -> tuple[list[str], list[str]]:
    """People and organisations among `names` (each flagged when the page types it as an
    organisation); a name that is neither (a username, "jdoe") is in neither list."""
    orgs = [n for n, typed_org in names if typed_org or is_organisation(n, publisher, vocabulary)]
    people = [n for n, _ in names if n not in orgs and is_person(n, publisher, vocabulary)]
    return people, orgs


def is_organisation(name: str, publisher: set[str], vocabulary: MetadataVocabulary) -> bool:
    """A news agency, a newsroom ("Redaktion"), a team byline ("Podium Staff") or the
    site/publisher itself."""
    key = word_key(name)
    if key in vocabulary.agency_names or vocabulary.organisation_word.search(name) or is_team(name, vocabulary):
        return True
    squeezed = key.replace(" ", "")
    return any(squeezed == p or (len(p) >= 4 and p in squeezed) for p in publisher)


def is_team(name: str, vocabulary: MetadataVocabulary) -> bool:
    """A team byline: a team word first or last ("Staff", "Podium Staff", "Team Nordlicht"),
    no job title beside it ("Staff Writer" is a role, not a team), at most four words."""
    words = re.findall(r"\w+", name.lower())
    if not words or len(words) > 4 or not ({words[0], words[-1]} & vocabulary.team_words):
        return False
    return all(w in vocabulary.team_words or w not in vocabulary.not_name_words for w in words)


def is_person(name: str, publisher: set[str], vocabulary: MetadataVocabulary) -> bool:
    """A human's name as bylines write it: capitalised words, no digits, not the publisher."""
    if any(ch.isdigit() or ch in vocabulary.username_characters for ch in name) or name.islower():
        return False
    if " " not in name and "." in name:  # "andrew.keaveney", "Example.com"
        return False
    key = word_key(name).replace(" ", "")
    return not any(key == p or (len(p) >= 4 and p in key) for p in publisher)


def acceptable_fallback(name: str) -> bool:
    # A username is still what the page gives as its byline; only values with no name in
    # them at all are refused.
    return len(name) >= 2 and not name.isdigit()


def _strip_prefix(text: str, vocabulary: MetadataVocabulary) -> str:
    """Byline labels off the start; "Von", "Di" only before a full name or an agency ("Di Maio"
    stays, "von dpa" is dpa)."""
    text = vocabulary.byline_prefix.sub("", text)
    m = vocabulary.name_prefix.match(text)
    rest = text[m.end() :] if m else ""
    if rest and ((len(rest.split()) >= 2 and rest[:1].isupper()) or word_key(rest) in vocabulary.agency_names):
        text = rest
    return text


def _paren(m: re.Match[str], vocabulary: MetadataVocabulary) -> str:
    """ "(dpa)" is an agency, kept as a name of its own; "(obm)", "(jd)" are an editor's initials."""
    inner = m[1].strip()
    return f", {inner}" if word_key(inner) in vocabulary.agency_names else ""


def _split_parts(raw: str, vocabulary: MetadataVocabulary) -> list[str]:
    """Split at separators; at a word joiner of another language ("und", "y", "og") only when
    both sides are full names or one is an agency ("José Ortega y Gasset" is one person)."""
    parts: list[str] = []
    for chunk in vocabulary.author_separator.split(raw):
        pieces = vocabulary.name_joiner.split(chunk)
        merged = [pieces[0]]
        for piece in pieces[1:]:
            left = merged[-1]
            if _full_or_agency(left, vocabulary) and _full_or_agency(piece, vocabulary):
                merged.append(piece)
            else:
                merged[-1] = f"{left}{_joiner_between(chunk, left, piece)}{piece}"
        parts.extend(merged)
    return [p for p in parts if not _is_credential(p, vocabulary)]


def _full_or_agency(name: str, vocabulary: MetadataVocabulary) -> bool:
    return len(name.split()) >= 2 or word_key(name) in vocabulary.agency_names


def _joiner_between(chunk: str, left: str, right: str) -> str:
    start = chunk.find(left) + len(left)
    return chunk[start : chunk.find(right, start)]


def _is_credential(part: str, vocabulary: MetadataVocabulary) -> bool:
    """ "MS", "RD", "Ph.D.": letters after a name, not a name."""
    words = part.strip(vocabulary.name_edge).replace(".", "").lower().split()
    return bool(words) and all(w in vocabulary.credentials for w in words)


def _is_name_part(part: str, vocabulary: MetadataVocabulary) -> bool:
    """A part of an author value that can be a name: short, no role word, not a date, not a
    place, not a sentence."""
    if not part or len(part.split()) > 5 or "@" in part or len(part) < 2:
        return False
    words = {w.lower() for w in re.findall(r"\w+", part)}
    if words & vocabulary.not_name_words or vocabulary.not_name_character.search(part):
        return False
    if part.lower().endswith(vocabulary.comment_byline_endings) or word_key(part) in vocabulary.place_names:
        return False
    lower = [w[:1].islower() for w in part.split()]
    if sum(lower) > _MAX_LOWER_WORDS or (len(lower) > 1 and lower[-1] and not lower[0]):  # "Learn about our"
        return False
    return not all(w in vocabulary.date_words or w.isdigit() for w in words)  # "Dec. 19", "20 Dec"
