"""Near-duplicate core, first half: signatures, LSH candidates, Jaccard estimates (clusters: test_clusters.py)."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from docclean.transforms.minhash import MinHashConfig, band_keys, candidate_pairs, estimate_jaccard, signatures

REPO = Path(__file__).resolve().parents[2]
CONFIG = MinHashConfig()

HARBOUR = (
    "The city council approved a plan on Tuesday to rebuild the old harbour wall after winter storms "
    "damaged more than two hundred metres of the structure. Engineers said the repairs would take "
    "eighteen months and cost about forty million pounds, most of it paid by a national flood defence "
    "fund. Fishing crews have been forced to land their catch at a smaller port further up the coast "
    "since January, adding hours to every trip. The harbour master told the meeting that boats were "
    "queueing overnight and that several skippers had already sold their vessels. Local shop owners "
    "welcomed the decision but asked the council to keep the seafront road open during the works, "
    "because summer visitors bring most of their yearly income. A public exhibition of the designs "
    "will open at the library next week, and residents can comment until the end of the month. The "
    "council leader said the new wall would be built higher than the old one to cope with rising sea "
    "levels, and that a walkway along the top would reopen to the public once the concrete had set."
)
VACCINE = (
    "Researchers at a university hospital have reported early results from a trial of a nasal vaccine "
    "against seasonal flu. Volunteers who received two doses produced more antibodies in the lining of "
    "the nose than those given a standard injection, the team wrote in a medical journal. The study "
    "involved four hundred adults aged between eighteen and sixty, and side effects were mild, mostly "
    "a runny nose and headache lasting a day. The lead author cautioned that the trial was too small "
    "to show whether the spray prevents illness, and a larger study with older patients is planned for "
    "next autumn. Health officials said a needle-free vaccine could raise uptake among children and "
    "people who avoid injections. The manufacturer has not said how much the spray would cost or when "
    "it might be submitted to regulators, but shares in the company rose sharply after the results "
    "were published. Independent experts described the findings as promising but preliminary."
)
FOOTBALL = (
    "The home side came from two goals down to win three two in a dramatic finish on Saturday evening. "
    "Their captain scored twice in the last ten minutes, the second a header from a corner deep into "
    "stoppage time, sending the crowd into wild celebrations. The visitors had dominated the first half "
    "and led through a penalty and a long-range strike that flew past the goalkeeper. The manager said "
    "afterwards that his players had shown real character and that the result could define their "
    "season. The defeat leaves the visitors fourth from bottom with eight matches remaining, and their "
    "coach admitted that his team had stopped playing after the break. Ticket sales for the next home "
    "game against the league leaders have already passed thirty thousand, the club said on Sunday."
)
# A same-story rewrite: the first ~40% of HARBOUR verbatim, the rest written anew.
HARBOUR_REWRITE = HARBOUR[: HARBOUR.index(" The harbour master")] + (
    " Several fishermen said they were relieved that a decision had finally been taken after months "
    "of delay, although some doubted the timetable. Opposition councillors questioned whether the "
    "budget included money for dredging the channel, which has silted up since the storms. A "
    "spokesperson for the regional transport authority promised that diversions would be kept to a "
    "minimum and that a temporary bus route would serve the seafront hotels while the work goes on."
)


def edit_words(text: str, rate: float, seed: int) -> str:
    """Substitute, delete or insert round(rate * words) words, deterministically."""
    rnd = random.Random(seed)
    words = text.split()
    for _ in range(max(1, round(rate * len(words)))):
        i = rnd.randrange(len(words))
        op = i % 3
        if op == 0:
            words[i] = "zebra"
        elif op == 1:
            del words[i]
        else:
            words.insert(i, "quietly")
    return " ".join(words)


def exact_jaccard(a: str, b: str, k: int = 3) -> float:
    """Reference: Jaccard similarity of the word k-gram sets, computed directly."""

    def grams(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}

    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb)


# --- signatures ------------------------------------------------------------------------------


def test_signatures_shape_dtype_and_determinism() -> None:
    texts = [HARBOUR, VACCINE, FOOTBALL]
    first = signatures(texts, CONFIG)
    assert first.shape == (3, 128)
    assert first.dtype == np.uint32
    np.testing.assert_array_equal(first, signatures(texts, CONFIG))
    # Batch boundaries do not change a document's signature.
    np.testing.assert_array_equal(first, signatures(texts, replace(CONFIG, batch_docs=1)))
    np.testing.assert_array_equal(first[1], signatures([VACCINE], CONFIG)[0])


def test_signatures_same_in_another_process() -> None:
    # Another interpreter with a different str hash seed: signatures must not depend on hash().
    code = (
        "import sys; from tests.transforms.test_minhash import HARBOUR; "
        "from transforms.minhash import signatures; "
        "sys.stdout.write(signatures([HARBOUR])[0].tobytes().hex())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout == signatures([HARBOUR])[0].tobytes().hex()


def test_seed_changes_signatures() -> None:
    a = signatures([HARBOUR], CONFIG)[0]
    b = signatures([HARBOUR], replace(CONFIG, seed=1))[0]
    assert estimate_jaccard(a, b) < 0.05


def test_case_and_punctuation_do_not_matter() -> None:
    sigs = signatures([HARBOUR, HARBOUR.upper().replace(",", " ,").replace(".", " ; ")], CONFIG)
    assert estimate_jaccard(sigs[0], sigs[1]) == 1.0


def test_short_and_empty_documents() -> None:
    sigs = signatures(["Breaking news", "breaking NEWS!", "Breaking story", "Storm", "", "  ...  "], CONFIG)
    assert estimate_jaccard(sigs[0], sigs[1]) == 1.0  # fewer words than the shingle size still match
    assert estimate_jaccard(sigs[0], sigs[2]) == 0.0
    assert estimate_jaccard(sigs[0], sigs[3]) == 0.0
    assert not (sigs[:4] == 0xFFFFFFFF).all(axis=1).any()
    assert (sigs[4] == 0xFFFFFFFF).all() and (sigs[5] == 0xFFFFFFFF).all()  # no words at all


def test_estimates_follow_edit_rate() -> None:
    texts = [HARBOUR, HARBOUR, edit_words(HARBOUR, 0.02, 1), edit_words(HARBOUR, 0.05, 2), HARBOUR_REWRITE, VACCINE]
    sigs = signatures(texts, CONFIG)
    sims = [estimate_jaccard(sigs[0], sigs[i]) for i in range(1, 6)]
    for text, sim in zip(texts[1:], sims, strict=True):
        # 128 positions: standard error <= 0.045, so 3 standard errors.
        assert abs(sim - exact_jaccard(HARBOUR, text)) < 0.13
    assert sims[0] == 1.0
    assert 0.8 <= sims[1] < 1.0  # 2% edits: still a duplicate
    assert 0.5 <= sims[2] < 0.85  # 5% edits: a variant at least
    assert sims[3] < 0.5  # rewrite keeping ~40% of the text
    assert sims[4] < 0.1  # another story
    rows = estimate_jaccard(sigs[:2], sigs[[2, 5]])
    assert rows.shape == (2,)
    assert rows[0] == pytest.approx(sims[1])


# --- LSH -------------------------------------------------------------------------------------


def test_band_keys_shape_and_collisions() -> None:
    sigs = signatures([HARBOUR, HARBOUR, VACCINE], CONFIG)
    keys = band_keys(sigs, CONFIG)
    assert keys.shape == (3, CONFIG.bands) and keys.dtype == np.uint64
    np.testing.assert_array_equal(keys[0], keys[1])
    assert not (keys[0] == keys[2]).any()
    # Equal band contents in different bands give different keys (one column can hold all bands).
    same = np.zeros((1, 128), dtype=np.uint32)
    assert len(set(band_keys(same, CONFIG)[0].tolist())) == CONFIG.bands


def test_candidate_pairs_groups_by_band() -> None:
    keys = np.array([[1, 10], [1, 11], [2, 11], [3, 12], [3, 12]], dtype=np.uint64)
    pairs = candidate_pairs(keys)
    assert pairs.tolist() == [[0, 1], [1, 2], [3, 4]]  # (3, 4) shares two bands, listed once
    ids = np.array([50, 40, 30, 20, 10])
    assert candidate_pairs(keys, ids).tolist() == [[10, 20], [30, 40], [40, 50]]
    assert candidate_pairs(np.array([[1], [2]], dtype=np.uint64)).shape == (0, 2)


def test_large_bucket_becomes_a_star() -> None:
    keys = np.full((6, 1), 7, dtype=np.uint64)
    assert candidate_pairs(keys, max_bucket=3).tolist() == [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5]]
    assert len(candidate_pairs(keys, max_bucket=6)) == 15


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="exceeds num_perm"):
        MinHashConfig(num_perm=64, bands=25, rows=5)
    with pytest.raises(ValueError, match="variant_threshold"):
        MinHashConfig(duplicate_threshold=0.5, variant_threshold=0.8)
    assert CONFIG.knee == pytest.approx(0.525, abs=0.01)
