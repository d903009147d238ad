"""How a report shows removals: rule order and colours, spans placed in the rebuilt prepared text.

The prepared text comes from `transforms.document.prepared_text`, the same code path cleaning
took, so a removal's offsets index it exactly when nothing has drifted.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docclean.transforms.decode import decode_document
from docclean.transforms.document import prepared_text
from docclean.transforms.rejects import Reject

MISMATCH = "its offsets do not match the rebuilt text"
PAGE_MAX = 200_000  # characters of an HTML page's source a report carries: bounded per document


@dataclass(slots=True)
class Rules:
    """Rule ids in report order (most removals first); a rule's index picks its colour."""

    ids: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_removals(cls, removals: Sequence[dict[str, Any]]) -> Rules:
        counts = Counter(r["rule_id"] for r in removals)
        rules = cls(ids=sorted(counts, key=lambda rule: (-counts[rule], rule)))
        rules.index = {rule: i for i, rule in enumerate(rules.ids)}
        for removal in removals:
            rules.reasons.setdefault(removal["rule_id"], removal["reason"] or "")
        return rules

    @classmethod
    def from_counts(cls, counts: Sequence[tuple[str, str, int]]) -> Rules:
        """From (rule_id, reason, removals) rows, e.g. a SQL aggregate: the same order as `from_removals`."""
        ordered = sorted(counts, key=lambda row: (-row[2], row[0]))
        ids = [rule for rule, _reason, _n in ordered]
        return cls(ids, {rule: reason for rule, reason, _n in ordered}, {rule: i for i, rule in enumerate(ids)})


# Light, mutually distinct backgrounds that keep dark text readable; more rules than this get
# golden-angle hues, which stay apart however many there are.
_PALETTE = (
    "#ffb3ba", "#a9d8ff", "#ffe08a", "#b8ecb0", "#dcc2ff", "#ffcc99",
    "#a8ece6", "#f9c0e0", "#d8d89a", "#c5cfff", "#e3c8ac", "#cfd4d8",
)  # fmt: skip


def rule_colour(index: int) -> str:
    """The highlight colour of the rule at `index` in the report's rule order."""
    if index < len(_PALETTE):
        return _PALETTE[index]
    return f"hsl({index * 137.508 % 360:.0f} 80% 80%)"


def span_tree(text: str, spans: Sequence[tuple[int, int, int]]) -> list[Any]:
    """`text` as nested nodes: a string, or `[key, children]` for a span `(start, end, key)`.

    Nested spans nest; a span that runs past the end of the one it starts in is split there,
    so the nodes always form a tree that concatenates back to `text`.

    >>> span_tree("abcdef", [(1, 4, 0), (2, 3, 1), (3, 6, 2)])
    ['a', [0, ['b', [1, ['c']], [2, ['d']]]], [2, ['ef']]]
    """
    heap = [(start, -end, key) for start, end, key in spans if 0 <= start < end <= len(text)]
    heapq.heapify(heap)
    root: list[Any] = []
    stack: list[tuple[int, list[Any]]] = [(len(text), root)]
    pos = 0

    def emit(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            stack[-1][1].append(text[pos:upto])
            pos = upto

    while heap:
        start, neg_end, key = heapq.heappop(heap)
        end = -neg_end
        while len(stack) > 1 and stack[-1][0] <= start:
            emit(stack[-1][0])
            stack.pop()
        emit(start)
        if end > stack[-1][0]:
            heapq.heappush(heap, (stack[-1][0], -end, key))
            end = stack[-1][0]
        children: list[Any] = []
        stack[-1][1].append([key, children])
        stack.append((end, children))
    while len(stack) > 1:
        emit(stack[-1][0])
        stack.pop()
    emit(len(text))
    return root


def place_removals(
    prepared: str | None, removals: Sequence[dict[str, Any]], rules: Rules, why_missing: str
) -> tuple[list[tuple[int, int, int]], list[list[Any]], int]:
    """Split removals into highlightable spans and `[rule, text, why]` rows for the rest.

    A span is highlighted only when `prepared[start:end]` is exactly the removed text.
    Returns (spans, unplaced, mismatched).
    """
    spans: list[tuple[int, int, int]] = []
    unplaced: list[list[Any]] = []
    mismatched = 0
    for removal in removals:
        key = rules.index[removal["rule_id"]]
        start, end = removal["start_offset"], removal["end_offset"]
        if start is None or end is None:
            unplaced.append([key, removal["text"], "removed before text extraction"])
        elif prepared is None:
            unplaced.append([key, removal["text"], why_missing])
        elif prepared[start:end] == removal["text"] and start < end:
            spans.append((start, end, key))
        else:
            mismatched += 1
            unplaced.append([key, removal["text"], MISMATCH])
    return spans, unplaced, mismatched


def rebuild_text(input_format: str | None, meta_json: str | None, raw: bytes | None) -> tuple[str | None, str]:
    """The prepared text of a stored source, or (None, why it cannot be shown)."""
    if raw is None or input_format is None:
        return None, "the lake has no raw bytes for this document"
    try:
        text = prepared_text(raw, input_format, json.loads(meta_json or "{}"))
    except Exception as exc:  # a report must not fail on one odd document; say what happened instead
        return None, f"rebuilding the text failed: {type(exc).__name__}: {exc}"
    if isinstance(text, Reject):
        return None, f"its bytes are not text ({text.reason})"
    return text, ""


def page_source(input_format: str | None, meta_json: str | None, raw: bytes | None) -> tuple[str | None, int]:
    """An HTML input's source as text (its first `PAGE_MAX` characters) and its full length; (None, 0) otherwise.

    Decoded the way cleaning decoded it; the report shows it as text, never as markup.
    """
    if input_format != "html" or raw is None:
        return None, 0
    try:
        text = decode_document(raw, "html", json.loads(meta_json or "{}").get("charset"))
    except Exception:  # undecodable bytes: the document's note already says why there is no text
        return None, 0
    return text[:PAGE_MAX], len(text)
