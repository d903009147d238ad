"""Program code in flattened text: script and style a converter did not drop.

Flattened pages carry the text of `<script>` and `<style>` elements when the converter kept it
("var x = ...; function f() {"); its keywords ("if", "for", "in") pass for stop words, so by
words alone it reads as prose. Its punctuation does not.
"""

from __future__ import annotations

import re

# Marks of code: braces, assignments, statement ends, empty calls. A semicolon alone is prose
# punctuation ("Ann, of Leeds; Tom, of York"), so one of the others must be there too.
_CODE_MARK = re.compile(r"[{}=;]|\(\)")
_CODE_ONLY = frozenset(("{", "}", "=", "()"))


def code_marks(text: str) -> int:
    """How many marks of program code `text` has: 0 unless one is a brace, `=` or `()`.

    >>> code_marks("function f() { var x = 1; }"), code_marks("Smith, of Ohio; Lee; and Jo; all three.")
    (5, 0)
    """
    if "{" not in text and "=" not in text and "()" not in text and "}" not in text:
        return 0  # most lines: no regex
    marks = _CODE_MARK.findall(text)
    return len(marks) if any(m in _CODE_ONLY for m in marks) else 0
