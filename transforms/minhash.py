"""Near-duplicate detection, first half: MinHash signatures, LSH candidates, Jaccard estimates.

    texts -> word shingles -> one-permutation MinHash (densified) -> band keys -> candidate
    pairs (sort/group per band) -> verified by estimated Jaccard

`transforms.clusters` turns the verified pairs into star clusters around a canonical. All of it
is numpy over whole batches. Hashes are fixed functions of the bytes and `MinHashConfig.seed`
(never Python's `hash()`), so signatures computed in different processes, batches or runs
compare equal and can be persisted and reused (`transforms.clusters.assign_incremental`).

Why one-permutation hashing (Li, Owen & Zhang 2012) with optimal densification (Shrivastava
2017) instead of `num_perm` independent hash functions: it costs one hash per shingle instead of
`num_perm`, which is what makes 1M documents fit in a couple of minutes; collision probability
per signature position is still the Jaccard similarity, so banding and estimates work as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
# splitmix64 finaliser constants: a cheap, well-mixing bijection on 64-bit words.
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_BYTE_MULT = _U64(0x100000001B3)  # FNV-64 prime: polynomial hash of a word's bytes
_WORD_MULT = _U64(0x9E3779B97F4A7C15)  # golden-ratio odd constant: order-sensitive shingle combine
_EMPTY = np.uint32(0xFFFFFFFF)  # signature value of a bin (or document) with no shingle

# Bytes that belong to a word: ASCII letters and digits, and every non-ASCII byte (so UTF-8
# letters of any script stay inside their word). Everything else separates words, which makes
# "word," and "word" the same token: punctuation edits are not content edits.
_WORD_BYTE = np.zeros(256, dtype=bool)
for _lo, _hi in ((48, 57), (65, 90), (97, 122), (128, 255)):
    _WORD_BYTE[_lo : _hi + 1] = True


@dataclass(frozen=True, slots=True)
class MinHashConfig:
    """Parameters of signatures, banding and clustering. Change `seed`, `num_perm` or
    `shingle_size` and persisted signatures are no longer comparable: store them together.

    Defaults are measured (benchmarks/dedup.py): word 3-grams keep a 5% word-edited copy at
    Jaccard ~0.74 (5-grams: ~0.63) while a rewrite sharing 60% of its text stays ~0.43 either way;
    25 bands x 5 rows put the LSH knee at (1/25)^(1/5) ~ 0.53, low enough to catch 5% edits,
    and verification against `variant_threshold` removes the extra candidates.
    """

    num_perm: int = 128
    shingle_size: int = 3
    seed: int = 20240611
    bands: int = 25
    rows: int = 5
    duplicate_threshold: float = 0.8
    variant_threshold: float = 0.55  # 0.5 let ~0.6% of same-story rewrites in (benchmarks/dedup.py)
    # Buckets larger than this (degenerate texts, huge exact-copy groups) link each member to
    # the bucket's first member instead of all pairs, so candidates grow linearly, not
    # quadratically. Real duplicates collide in many bands, so they still meet.
    max_bucket: int = 64
    batch_docs: int = 512  # documents hashed per numpy pass: bounds temporary memory

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands*rows ({self.bands}*{self.rows}) exceeds num_perm ({self.num_perm})")
        if self.shingle_size < 1 or self.num_perm < 1:
            raise ValueError("shingle_size and num_perm must be positive")
        if not 0.0 <= self.variant_threshold <= self.duplicate_threshold <= 1.0:
            raise ValueError("need 0 <= variant_threshold <= duplicate_threshold <= 1")

    @property
    def knee(self) -> float:
        """Jaccard similarity at which a pair becomes a candidate with probability ~0.5."""
        return float((1.0 / self.bands) ** (1.0 / self.rows))


# --- hashing ---------------------------------------------------------------------------------


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps, as intended)."""
    x = x ^ (x >> _U64(30))
    x = x * _MIX1
    x = x ^ (x >> _U64(27))
    x = x * _MIX2
    return x ^ (x >> _U64(31))


def _seed_words(seed: int, count: int, salt: int) -> np.ndarray:
    """`count` fixed pseudo-random uint64 words derived from (seed, salt)."""
    base = np.arange(count, dtype=np.uint64) + _U64((seed * 1_000_003 + salt) & 0xFFFFFFFFFFFFFFFF)
    return _mix64(_mix64(base))


class _PowerTable:
    """P^i and P^-i (mod 2^64), grown on demand; one per `signatures` call, so no state is shared
    between calls or threads. P is odd, so it has an inverse mod 2^64."""

    def __init__(self) -> None:
        self._power = self._inverse = np.ones(1, dtype=np.uint64)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The powers 0..n-1 and their inverses."""
        if self._power.size < n:
            size = max(n, 2 * self._power.size)
            tables = []
            for base in (_BYTE_MULT, _U64(pow(int(_BYTE_MULT), -1, 1 << 64))):
                table = np.full(size, base, dtype=np.uint64)
                table[0] = 1
                tables.append(np.cumprod(table))
            self._power, self._inverse = tables
        return self._power[:n], self._inverse[:n]


def _word_hashes(texts: Sequence[str], seed: int, powers: _PowerTable) -> tuple[np.ndarray, np.ndarray]:
    """Hash every word of every text. Returns (word hashes uint64, number of words per text)."""
    encoded = [t.lower().encode("utf-8", "replace") for t in texts]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    # A space between texts, so no word spans two documents.
    buf = np.frombuffer(b" ".join(encoded), dtype=np.uint8)
    doc_starts = np.cumsum(lengths + 1) - (lengths + 1)
    is_word = _WORD_BYTE[buf]
    starts = np.flatnonzero(is_word[1:] & ~is_word[:-1]) + 1
    if is_word[:1].any():
        starts = np.concatenate([np.zeros(1, dtype=np.int64), starts])
    if starts.size == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(len(texts), dtype=np.int64)
    # Polynomial hash sum(b_i * P^i) over buffer positions i, separators contributing 0; each
    # word's sum is then shifted to start at P^0 by multiplying with P^-start. One pass of
    # cheap contiguous ops per byte, no per-byte gathers.
    power, inverse = powers.upto(buf.size)
    contrib = buf.astype(np.uint64)
    contrib += _U64(1)
    contrib *= power
    contrib[~is_word] = 0
    sums = np.add.reduceat(contrib, starts) * inverse[starts]
    hashes = _mix64(sums ^ _U64(seed & 0xFFFFFFFFFFFFFFFF))
    word_doc = np.searchsorted(doc_starts, starts, side="right") - 1
    counts = np.bincount(word_doc, minlength=len(texts)).astype(np.int64)
    return hashes, counts


def _shingle_hashes(words: np.ndarray, counts: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash word k-grams within each document. Returns (shingle hashes, document of each).

    A document with 1..k-1 words gets one shingle of all its words, so short texts still get a
    signature (equal short texts match, different ones do not)."""
    n_docs = counts.size
    doc_of_word = np.repeat(np.arange(n_docs, dtype=np.int64), counts)
    word_start = np.cumsum(counts) - counts
    salt = _seed_words(seed, 1, 7)[0]
    parts: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    if words.size >= k:
        m = words.size - k + 1
        acc = words[:m].copy()
        for t in range(1, k):
            acc = acc * _WORD_MULT + words[t : t + m]
        valid = doc_of_word[:m] == doc_of_word[k - 1 :]
        parts.append(acc[valid])
        docs.append(doc_of_word[:m][valid])
    short = np.flatnonzero((counts > 0) & (counts < k))
    if short.size:
        acc = words[word_start[short]].copy()
        for t in range(1, k - 1):
            has = counts[short] > t
            nxt = words[np.where(has, word_start[short] + t, 0)]
            acc = np.where(has, acc * _WORD_MULT + nxt, acc)
        # Fold in the length so a 2-word text never equals some 3-gram of a longer one.
        acc = acc * _WORD_MULT + counts[short].astype(np.uint64)
        parts.append(acc)
        docs.append(short)
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return _mix64(np.concatenate(parts) ^ salt), np.concatenate(docs)


def _densify(sig: np.ndarray, filled: np.ndarray, probes: np.ndarray) -> None:
    """Fill empty bins in place: bin i copies bin probes[i, a] for the first attempt a whose bin
    is non-empty (the same probe sequence for every document, so equal documents stay equal and
    collision probability stays the Jaccard similarity), then the next filled bin cyclically."""
    rows, bins = np.nonzero(~filled & filled.any(axis=1, keepdims=True))
    orig = sig.copy()
    for attempt in range(probes.shape[1]):
        if rows.size == 0:
            return
        src = probes[bins, attempt]
        ok = filled[rows, src]
        sig[rows[ok], bins[ok]] = orig[rows[ok], src[ok]]
        rows, bins = rows[~ok], bins[~ok]
    if rows.size:  # very short documents: the nearest filled bin to the right, cyclically
        k = sig.shape[1]
        few, local = np.unique(rows, return_inverse=True)
        twice = np.tile(filled[few], 2)
        index = np.where(twice, np.arange(2 * k), 2 * k)
        nearest = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]  # next filled at or after
        sig[rows, bins] = orig[rows, nearest[local, bins] % k]


def signatures(texts: Sequence[str], config: MinHashConfig | None = None) -> np.ndarray:
    """MinHash signatures of `texts`, shape (len(texts), num_perm), dtype uint32.

    Words are lower-cased runs of letters/digits; shingles are word `shingle_size`-grams. A text
    with no word at all gets an all-0xFFFFFFFF signature (so empty texts match each other: drop
    them before clustering if that is not wanted)."""
    config = config or MinHashConfig()
    k_bins = config.num_perm
    out = np.full((len(texts), k_bins), _EMPTY, dtype=np.uint32)
    # Densification probe sequence from our own hash, not numpy's RNG, whose streams may change
    # between numpy versions (persisted signatures must stay comparable).
    probes = (_seed_words(config.seed, k_bins * 16, 13) % _U64(k_bins)).astype(np.int64).reshape(k_bins, 16)
    powers = _PowerTable()
    for lo in range(0, len(texts), config.batch_docs):
        batch = texts[lo : lo + config.batch_docs]
        words, counts = _word_hashes(batch, config.seed, powers)
        shingles, doc = _shingle_hashes(words, counts, config.shingle_size, config.seed)
        if shingles.size == 0:
            continue
        # High 32 bits pick the bin (multiply-shift: uniform for any num_perm), low 32 bits are
        # the value whose minimum the bin keeps.
        bins = ((shingles >> _U64(32)) * _U64(k_bins)) >> _U64(32)
        flat_index = doc * k_bins + bins.astype(np.int64)
        sig = np.full(len(batch) * k_bins, _EMPTY, dtype=np.uint32)
        np.minimum.at(sig, flat_index, (shingles & _MASK32).astype(np.uint32))
        filled = np.zeros(len(batch) * k_bins, dtype=bool)
        filled[flat_index] = True
        sig2 = sig.reshape(len(batch), k_bins)
        _densify(sig2, filled.reshape(len(batch), k_bins), probes)
        out[lo : lo + len(batch)] = sig2
    return out


# --- LSH -------------------------------------------------------------------------------------


def band_keys(sigs: np.ndarray, config: MinHashConfig | None = None) -> np.ndarray:
    """One uint64 key per band, shape (n, bands). Each band's salt is mixed in, so keys of
    different bands never meet even when stored in one column."""
    config = config or MinHashConfig()
    n = sigs.shape[0]
    salts = _seed_words(config.seed, config.bands, 11)
    out = np.empty((n, config.bands), dtype=np.uint64)
    # In row chunks: widening all of a 1M x 128 signature matrix to uint64 at once would take 1 GB.
    for lo in range(0, n, 65536):
        used = sigs[lo : lo + 65536, : config.bands * config.rows].reshape(-1, config.bands, config.rows)
        keys = np.broadcast_to(salts, (used.shape[0], config.bands))
        for r in range(config.rows):
            keys = _mix64(keys * _WORD_MULT + used[:, :, r].astype(np.uint64))
        out[lo : lo + used.shape[0]] = keys
    return out


def candidate_pairs(keys: np.ndarray, ids: np.ndarray | None = None, *, max_bucket: int = 64) -> np.ndarray:
    """Pairs of rows sharing a key in at least one band: int64 (m, 2), each pair once, a < b,
    sorted. With `ids` (int64 per row, e.g. global row numbers) the pairs are given in ids."""
    n, n_bands = keys.shape
    found: list[np.ndarray] = []
    for b in range(n_bands):
        order = np.argsort(keys[:, b], kind="stable")
        sk = keys[order, b]
        new_run = np.empty(n, dtype=bool)
        new_run[:1] = True
        new_run[1:] = sk[1:] != sk[:-1]
        run_start = np.flatnonzero(new_run)
        run_len = np.diff(np.append(run_start, n))
        multi = run_len >= 2
        if not multi.any():
            continue
        small = multi & (run_len <= max_bucket)
        # All pairs within small buckets: sorted position p pairs with every later p' in its run.
        starts, lens = run_start[small], run_len[small]
        pos = np.repeat(starts, lens) + _ramps(lens)
        later = np.repeat(starts + lens, lens) - pos - 1  # members after pos in its run
        left = np.repeat(pos, later)
        right = left + 1 + _ramps(later)
        # Large buckets: a star around the bucket's first member.
        big = multi & ~small
        star_left = np.repeat(run_start[big], run_len[big] - 1)
        star_right = star_left + 1 + _ramps(run_len[big] - 1)
        a = order[np.concatenate([left, star_left])]
        c = order[np.concatenate([right, star_right])]
        found.append(np.minimum(a, c) * n + np.maximum(a, c))
        if len(found) >= 8:  # keep memory bounded: true pairs repeat in many bands
            found = [np.unique(np.concatenate(found))]
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    pairs = np.stack([codes // n, codes % n], axis=1).astype(np.int64)
    if ids is not None:
        ids = np.asarray(ids, dtype=np.int64)
        pairs = np.sort(ids[pairs], axis=1)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return pairs


def _ramps(lengths: np.ndarray) -> np.ndarray:
    """arange(l) for each l in `lengths`, concatenated: [2, 3] -> [0, 1, 0, 1, 2]."""
    return np.arange(lengths.sum(), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray | float:
    """Fraction of equal signature positions: the Jaccard estimate. Row-wise for 2-D inputs."""
    eq = np.asarray(sig_a) == np.asarray(sig_b)
    if eq.ndim == 1:
        return float(eq.mean())
    return eq.mean(axis=-1, dtype=np.float32)


def pair_similarity(sigs: np.ndarray, pairs: np.ndarray, *, chunk: int = 65536) -> np.ndarray:
    """Estimated Jaccard similarity of each pair of rows (float32), in chunks to bound memory."""
    out = np.empty(len(pairs), dtype=np.float32)
    for lo in range(0, len(pairs), chunk):
        p = pairs[lo : lo + chunk]
        out[lo : lo + len(p)] = estimate_jaccard(sigs[p[:, 0]], sigs[p[:, 1]])
    return out


def verify_pairs(sigs: np.ndarray, pairs: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose estimated similarity reaches `threshold`, and those similarities."""
    sims = pair_similarity(sigs, pairs)
    keep = sims >= threshold
    return pairs[keep], sims[keep]
