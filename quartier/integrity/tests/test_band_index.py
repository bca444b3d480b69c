"""Near duplicates checked in micro-batches find exactly what checking posts one at a time finds."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest

from quartier.integrity.detection import band_index, minhash

WORDS = [
    "quartier",
    "parc",
    "école",
    "rue",
    "vélo",
    "loyer",
    "marché",
    "réunion",
    "bénévoles",
    "élection",
    "déneigement",
    "café",
    "park",
    "school",
    "street",
    "bike",
    "rent",
    "market",
    "meeting",
    "volunteers",
    "election",
    "snow",
    "coffee",
    "the",
    "a",
    "de",
    "la",
    "et",
    "and",
    "pour",
    "with",
    "sur",
    "on",
    "plus",
    "more",
]
ODD_TEXTS = [
    "",
    "!",
    " _ ",
    "Thank you!",
    "ÉCOLE  école___ÉCOLE!! \x00 with a separator\x00 " * 4,
    "ΑΣ ß ﬁ ＡＢＣ x̧̌ Ångström naïve " * 6,
    "\u0301 starts with an accent and ends with one \u0301" * 3,
    "日本語のテキスト 😀 emoji ok, and a lone surrogate \ud800 " * 5,
    "  spaces around   " * 20,
    "ha " * 200,  # many shingles, few distinct ones
    "ha " * 40 + "and then a long sentence that says something new at last, with words enough",
]


def _reference_normalise(text: str) -> str:
    """What normalising has always meant, one character at a time (signatures stored before stay valid)."""
    text = text.casefold()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text).strip()


def _texts_with_copies(count: int, seed: int) -> list[str]:
    """Random posts, and lightly edited copies of some placed soon after (same batch) or much later."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, size=int(rng.integers(10, 60)))) for _ in range(count)]
    for _ in range(count // 10):
        source = int(rng.integers(0, len(texts)))
        words = texts[source].split()
        words[int(rng.integers(0, len(words)))] = "copie"
        gap = int(rng.integers(1, 4)) if rng.random() < 0.5 else int(rng.integers(100, count))
        texts.insert(min(source + gap, len(texts)), " ".join(words).upper())
    return texts + ODD_TEXTS


def _one_at_a_time(
    texts: list[str], authors: np.ndarray, max_bucket: int | None = None
) -> dict[int, dict[int, int]]:
    index = band_index.BandIndex()
    found = {}
    for position, text in enumerate(texts):
        hashes = minhash.shingle_hashes(text)
        if len(hashes) < minhash.MIN_SHINGLES:
            continue
        keys = minhash.band_keys(minhash.signature(hashes))
        found[position] = index.candidates(keys, max_bucket=max_bucket)
        assert index.add(position, int(authors[position]), keys) == len(index) - 1
    return {position: rows for position, rows in found.items() if rows}


def _in_batches(
    texts: list[str], authors: np.ndarray, size: int, max_bucket: int | None = None
) -> dict[int, dict[int, int]]:
    index = band_index.BandIndex()
    found = {}
    for first in range(0, len(texts), size):
        chunk = texts[first : first + size]
        candidates = band_index.check_texts(
            index, np.arange(first, first + len(chunk)), authors[first : first + size], chunk,
            max_bucket=max_bucket,
        )  # fmt: skip
        for position in np.unique(candidates.texts).tolist():
            found[first + position] = candidates.of(position)
    return found


def test_normalising_many_texts_at_once_matches_one_character_at_a_time():
    texts = _texts_with_copies(200, seed=1)
    hashes, offsets = minhash.shingle_sets(texts)

    for position, text in enumerate(texts):
        assert minhash.normalise(text) == _reference_normalise(text)
        assert np.array_equal(hashes[offsets[position] : offsets[position + 1]], minhash.shingle_hashes(text))


def test_signatures_of_many_texts_match_each_texts_own():
    texts = _texts_with_copies(300, seed=2)
    signatures, long_enough = minhash.signatures(texts)

    for position, text in enumerate(texts):
        hashes = minhash.shingle_hashes(text)
        assert long_enough[position] == (len(hashes) >= minhash.MIN_SHINGLES)
        if long_enough[position]:
            assert np.array_equal(signatures[position], minhash.signature(hashes))


@pytest.mark.parametrize("size", [1, 5, 64, 500])
def test_batches_find_the_same_rows_and_shared_bands_as_one_post_at_a_time(size):
    texts = _texts_with_copies(1500, seed=3)
    authors = np.random.default_rng(4).integers(1, 50, size=len(texts))

    expected = _one_at_a_time(texts, authors)
    found = _in_batches(texts, authors, size)

    assert found == expected
    copies_close_by = [
        (row, position) for position, rows in expected.items() for row in rows if position - row < 4
    ]
    assert len(copies_close_by) > 20  # copies a few posts apart: inside one batch of 64 or 500
    assert sum(map(len, expected.values())) > 200


@pytest.mark.parametrize("size", [1, 5, 64, 500])
def test_with_a_bucket_cap_batches_pass_over_the_same_crowded_keys_as_one_post_at_a_time(size):
    texts = _texts_with_copies(1500, seed=3)
    texts += [" ".join(WORDS * 2) + f" {n}" for n in range(30)]  # thirty near copies: crowded keys
    authors = np.random.default_rng(4).integers(1, 50, size=len(texts))

    expected = _one_at_a_time(texts, authors, max_bucket=5)

    assert _in_batches(texts, authors, size, max_bucket=5) == expected
    assert sum(map(len, expected.values())) < sum(map(len, _one_at_a_time(texts, authors).values()))


@pytest.mark.parametrize("size", [10, 1])
def test_a_key_held_by_max_bucket_posts_is_passed_over_from_then_on(size):
    text = " ".join(WORDS * 2)
    index = band_index.BandIndex()

    found = [
        band_index.check_texts(
            index, np.arange(first, first + size), np.arange(size), [text] * size, max_bucket=4
        )
        for first in range(0, 10, size)
    ]

    seen = [batch.of(position) for batch in found for position in range(size)]
    assert seen == [dict.fromkeys(range(position), minhash.BANDS) for position in range(4)] + [{}] * 6
    assert len(index) == 10


def test_a_batch_sees_the_posts_before_it_in_the_same_batch_and_not_itself():
    text = " ".join(WORDS * 2)
    index = band_index.BandIndex()

    found = band_index.check_texts(index, np.arange(10), np.arange(10), [text] * 10)

    assert [found.of(position) for position in range(10)] == [
        dict.fromkeys(range(position), minhash.BANDS) for position in range(10)
    ]
    assert len(index) == 10


def test_checking_one_post_gives_what_candidates_then_add_give():
    texts = _texts_with_copies(300, seed=5)
    authors = np.arange(len(texts))
    batched, one_by_one = band_index.BandIndex(), band_index.BandIndex()
    band_index.check_texts(batched, np.arange(len(texts)), authors, texts)
    band_index.check_texts(one_by_one, np.arange(len(texts)), authors, texts)
    copy = texts[10].replace("e", "é")

    found = band_index.check_texts(batched, np.array([999]), np.array([7]), [copy])
    keys = minhash.band_keys(minhash.signature(minhash.shingle_hashes(copy)))
    expected = one_by_one.candidates(keys)
    one_by_one.add(999, 7, keys)

    assert found.of(0) == expected
    assert 10 in expected
    assert batched.item(len(batched) - 1) == one_by_one.item(len(one_by_one) - 1) == (999, 7)


def test_the_index_keeps_about_140_bytes_a_post():
    texts = _texts_with_copies(2000, seed=6)
    index = band_index.BandIndex()
    authors = np.ones(len(texts), dtype=np.int64)
    for first in range(0, len(texts), 256):
        batch = slice(first, first + 256)
        band_index.check_texts(index, np.arange(len(texts))[batch], authors[batch], texts[batch])

    assert index.nbytes / len(index) == 140
    assert len(index._runs) <= 4  # merged as they grow: few runs to search


def test_band_keys_taken_chunk_by_chunk_are_those_of_the_whole_signatures():
    texts = [
        f"le quartier se mobilise pour la rentrée numéro {n} avec des voisins et des amis" for n in range(50)
    ]
    texts += ["trop court", ""]
    signatures, long_enough = minhash.signatures(texts)
    keys, kept = minhash.band_keys_of(texts, step=7)
    assert (kept == long_enough).all() and kept.sum() == 50
    assert (keys[kept] == minhash.band_keys(signatures)[kept]).all()
