"""Boilerplate rules as data: parse the TOML rule files into compiled, validated rules.

The rule files live in `transforms/rules/*.toml`, one file per concept (subscription, bylines,
credits, navigation, structure). Each rule has an id, a kind (which matcher in
`transforms.boilerplate` runs it), a reason shown to users, its patterns, and examples that
`tests/transforms/test_rules.py` checks: `remove` examples must be removed, `keep` must not.
A user rule file with the same rule id replaces the packaged rule; new ids are appended.

Besides rules, a file may hold `[definitions]` (regex fragments, used as `{NAME}` in patterns) and
`[words]` (named word lists, e.g. the byline prefixes `transforms.html_bylines` reads); a later
file's definition or list replaces an earlier one of the same name.

A `RuleSet` is immutable all the way down (its parameters, examples and word lists refuse
changes), so one parse can be shared by every caller: `default_ruleset()` memoises the parse of
the packaged files, which are constant package data. What cleaning derives from the rules (combined
regexes, settings, vocabularies) is built once per rule set too: `RuleSet.derived`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, NoReturn, TypeVar

from docclean.transforms.literals import fold, guard, passes

RuleKind = Literal["line", "caption_credit", "byline", "block", "structural"]
_KINDS: tuple[str, ...] = ("line", "caption_credit", "byline", "block", "structural")
_PLACEHOLDER = re.compile(r"\{([A-Z][A-Z_]+)\}")
T = TypeVar("T")


class RuleError(ValueError):
    """A rule file is malformed; the message names the file and rule."""


class FrozenDict(dict):
    """A dict that refuses changes: rule data is shared by every caller of a rule set.

    A dict subclass (not a MappingProxyType) so it pickles, compares and prints as a dict.
    """

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("rule data is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[type, tuple[dict]]:
        return (FrozenDict, (dict(self),))


class FrozenList(list):
    """A list that refuses changes (see `FrozenDict`); equal to a list with the same items."""

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("rule data is read-only")

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = remove = pop = clear = sort = reverse = _read_only

    def __reduce__(self) -> tuple[type, tuple[list]]:
        return (FrozenList, (list(self),))


def frozen(value: Any) -> Any:
    """`value` with every dict and list in it (nested too) made read-only."""
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: RuleKind
    reason: str
    group: str
    source: str
    patterns: tuple[re.Pattern[str], ...] = ()
    inner: tuple[re.Pattern[str], ...] = ()  # block rules: markers that keep a block going
    params: Mapping[str, Any] = field(default_factory=FrozenDict)
    examples: Mapping[str, Any] | list[Any] = field(default_factory=FrozenDict)  # read-only
    # Each pattern with its guard: literals one of which its every match holds (`transforms.literals`).
    guarded: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...] = field(init=False, repr=False, compare=False)
    guarded_inner: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        search = self.kind == "caption_credit"
        object.__setattr__(self, "guarded", tuple((p, guard(p, search=search)) for p in self.patterns))
        object.__setattr__(self, "guarded_inner", tuple((p, guard(p)) for p in self.inner))

    def param(self, name: str, default: Any) -> Any:
        return self.params.get(name, default)

    def matches_line(self, text: str) -> re.Match[str] | None:
        """First pattern matching the whole line (`line`, `byline`) or its end (`caption_credit`).

        A pattern with a guard runs only on a line holding one of its literals (`literals.guard`).
        """
        return _first_match(self.guarded, text, search=self.kind == "caption_credit")

    def inner_matches(self, text: str) -> bool:
        """Whether one of the `inner` patterns (block rules' markers) matches the whole line."""
        return _first_match(self.guarded_inner, text, search=False) is not None


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    version: str
    fingerprint: str
    word_lists: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenDict)
    # build function -> what it built from this rule set (see `derived`); not part of its value
    _derived: dict[Callable[[RuleSet], Any], Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Pickled without what was derived: the receiving process builds its own."""
        return (RuleSet, (self.rules, self.version, self.fingerprint, self.word_lists))

    def derived(self, build: Callable[[RuleSet], T]) -> T:
        """`build(self)`, built on first use and kept with this rule set.

        For what every document would otherwise derive anew from the same rules: combined
        regexes, settings read from parameters, vocabularies. A rule set never changes, so the
        answer never goes stale; `build` must be a pure function of the rule set, and it is the
        cache key (a module-level function, not a lambda made per call).
        """
        cache = self._derived
        try:
            return cache[build]
        except KeyError:
            value = cache[build] = build(self)
            return value

    def by_kind(self, kind: RuleKind) -> tuple[Rule, ...]:
        return self.derived(_rules_by_kind).get(kind, ())

    def get(self, rule_id: str) -> Rule:
        rule = self.derived(_rules_by_id).get(rule_id)
        if rule is None:
            raise KeyError(f"no rule with id {rule_id!r}; rule ids: {', '.join(r.id for r in self.rules)}")
        return rule

    def reasons(self) -> Mapping[str, str]:
        """Rule id -> reason, for every rule (read-only)."""
        return self.derived(_reasons)

    def reason(self, rule_id: str) -> str:
        return self.get(rule_id).reason

    def words(self, name: str) -> tuple[str, ...]:
        """A `[words]` list of the rule files, by name."""
        try:
            return self.word_lists[name]
        except KeyError:
            raise KeyError(f"no word list {name!r}; word lists: {', '.join(sorted(self.word_lists))}") from None


def _first_match(
    guarded: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...], text: str, *, search: bool
) -> re.Match[str] | None:
    folded = None
    for pattern, need in guarded:
        if need is not None:
            folded = fold(text) if folded is None else folded
            if not passes(need, folded):
                continue
        m = pattern.search(text) if search else pattern.fullmatch(text)
        if m:
            return m
    return None


def _rules_by_kind(ruleset: RuleSet) -> Mapping[str, tuple[Rule, ...]]:
    return FrozenDict({kind: tuple(r for r in ruleset.rules if r.kind == kind) for kind in _KINDS})


def _rules_by_id(ruleset: RuleSet) -> Mapping[str, Rule]:
    return FrozenDict({rule.id: rule for rule in ruleset.rules})


def _reasons(ruleset: RuleSet) -> Mapping[str, str]:
    return FrozenDict({rule.id: rule.reason for rule in ruleset.rules})


def parse_ruleset(sources: dict[str, str]) -> RuleSet:
    """Build a rule set from rule-file texts, keyed by file name, applied in key order.

    `vocabulary.toml`'s `[definitions]` may be used as `{NAME}` placeholders in any pattern.
    """
    docs = {name: _load_toml(name, text) for name, text in sorted(sources.items())}
    definitions: dict[str, str] = {}
    word_lists: dict[str, tuple[str, ...]] = {}
    for name, doc in docs.items():
        definitions.update(doc.get("definitions", {}))
        word_lists.update(_word_lists(name, doc.get("words", {})))
    version = next((str(d["ruleset"]["version"]) for d in docs.values() if "version" in d.get("ruleset", {})), "")
    rules: dict[str, Rule] = {}
    for name, doc in docs.items():
        group = doc.get("ruleset", {}).get("group", name.removesuffix(".toml"))
        for raw in doc.get("rule", []):
            rule = _build_rule(raw, group=group, source=name, definitions=definitions)
            rules[rule.id] = rule  # a later file overrides a rule id
    digest = hashlib.sha256()
    for name, text in sorted(sources.items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return RuleSet(tuple(rules.values()), version or "unversioned", digest.hexdigest()[:16], FrozenDict(word_lists))


def packaged_rule_sources() -> dict[str, str]:
    """The rule files shipped in `transforms/rules/`."""
    folder = resources.files("docclean.transforms.rules")
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.name.endswith(".toml")}


@functools.cache
def default_ruleset() -> RuleSet:
    """The packaged rules, parsed once per process.

    A pure memo: the packaged files are constant package data and a `RuleSet` is immutable, so
    every caller gets the same answer a fresh parse would give. A user's rules are parsed by
    `parse_ruleset` and passed explicitly; they never land here.
    """
    return parse_ruleset(packaged_rule_sources())


def _load_toml(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{name}: not valid TOML: {exc}") from exc


def _word_lists(source: str, table: object) -> dict[str, tuple[str, ...]]:
    """The `[words]` table of one file, checked: each entry a list of non-empty strings."""
    if not isinstance(table, dict):
        raise RuleError(f"{source}: `words` must be a table of named word lists")
    for name, words in table.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise RuleError(f"{source}: words.{name} must be a list of non-empty strings")
    return {name: tuple(words) for name, words in table.items()}


def _build_rule(raw: dict[str, Any], *, group: str, source: str, definitions: dict[str, str]) -> Rule:
    rule_id = raw.get("id")
    where = f"{source}: rule {rule_id or '(no id)'}"
    if not rule_id or not re.fullmatch(r"[a-z][a-z0-9_]*", rule_id):
        raise RuleError(f"{where}: `id` must be snake_case letters and digits")
    kind = raw.get("kind")
    if kind not in _KINDS:
        raise RuleError(f"{where}: `kind` must be one of {', '.join(_KINDS)}, not {kind!r}")
    if not raw.get("reason"):
        raise RuleError(f"{where}: every rule needs a `reason` shown to users")
    flags = re.IGNORECASE if raw.get("ignore_case", True) else 0
    patterns = tuple(_compile(p, flags, definitions, where) for p in raw.get("patterns", []))
    inner = tuple(_compile(p, flags, definitions, where) for p in raw.get("inner", []))
    if kind != "structural" and not patterns:
        raise RuleError(f"{where}: a {kind} rule needs `patterns`")
    reserved = {"id", "kind", "reason", "patterns", "inner", "examples", "ignore_case"}
    params = frozen({k: v for k, v in raw.items() if k not in reserved})
    examples = frozen(raw.get("examples", {}))
    return Rule(rule_id, kind, raw["reason"], group, source, patterns, inner, params, examples)


def _compile(pattern: str, flags: int, definitions: dict[str, str], where: str) -> re.Pattern[str]:
    def expand(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in definitions:
            raise RuleError(f"{where}: pattern uses {{{key}}}, which vocabulary.toml does not define")
        return f"(?:{definitions[key]})"

    expanded = pattern
    for _ in range(5):  # definitions may use other definitions
        expanded, n = _PLACEHOLDER.subn(expand, expanded)
        if not n:
            break
    try:
        return re.compile(expanded, flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc
