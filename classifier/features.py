"""Character n-gram counts computed with numpy, for text in any script.

Why not ``TfidfVectorizer(analyzer="char_wb")``: its analyzer is a Python loop over every n-gram,
about 250 articles/s at 3,000 characters. Here the n-grams of a whole batch are hashed with vector
arithmetic on code points, so tagging runs at thousands of articles per second on one core. Char
n-grams need no tokenizer, so Chinese (no spaces), Arabic and Russian work like English.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the polynomial hash over the top bits
_CHUNK = 1000  # documents counted at a time: bounds memory on big inputs, same matrix as one pass
_BLOCK = 64  # documents hashed at a time: the temporary arrays stay in cache

# code point -> code point for the first 0x3001 code points: whitespace (tab to CR, space, no-break
# space, ideographic space) becomes a space, and with digit folding 1-9 become 0 ("2023" ~ "2024")
_KEEP_DIGITS = np.arange(0x3001, dtype=np.uint32)
_KEEP_DIGITS[[9, 10, 11, 12, 13, 32, 0xA0, 0x3000]] = 32
_FOLD_DIGITS = _KEEP_DIGITS.copy()
_FOLD_DIGITS[49:58] = 48


def encode(texts: list[str], max_chars: int | None, fold_digits: bool = True) -> np.ndarray:
    """Code points (uint32) of the texts joined by 0, lower case, each cut to ``max_chars`` and
    padded with a space; runs of whitespace become one space and digits 1-9 become 0 ("2023" ~
    "2024"). A NUL inside a text counts as whitespace, so 0 only ever separates documents."""
    joined = "\x00".join(f" {t[:max_chars].lower()} " for t in texts)
    if joined.count("\x00") != len(texts) - 1:
        joined = "\x00".join(f" {t[:max_chars].lower().replace(chr(0), ' ')} " for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    # one table lookup maps whitespace and digits; code points past the table keep their value
    out = np.take(_FOLD_DIGITS if fold_digits else _KEEP_DIGITS, codes, mode="clip")
    beyond = codes >= len(_KEEP_DIGITS)
    if beyond.any():
        np.copyto(out, codes, where=beyond)
    space = out == 32
    repeat = space[1:] & space[:-1]  # a space right after a space
    if not repeat.any():
        return out
    keep = np.ones(len(out), dtype=bool)
    np.logical_not(repeat, out=keep[1:])
    return out[keep]


def hash_slots(codes: np.ndarray, ngram_range: tuple[int, int], hash_bits: int) -> Iterator[tuple[int, np.ndarray]]:
    """Per n in ``ngram_range``: the hash slot (int64, < ``2**hash_bits``) of the n-gram starting at
    each position, ``len(codes) - n + 1`` of them; n-grams across a 0 are not filtered here.

    The slot is ``(h * MIX mod 2**64) >> (64 - hash_bits)`` for the polynomial hash
    ``h = ((c1 * PRIME + c2) * PRIME + ...)``. Multiplying by MIX distributes over that sum, so the
    running value is kept already mixed (``H = h * MIX``): one multiply and one add per n, in place.
    The array yielded is a buffer reused for the next n."""
    lo, hi = ngram_range
    mixed = codes.astype(np.uint64)
    np.multiply(mixed, _MIX, out=mixed)  # C = code * MIX, the mixed hash of each 1-gram
    running = mixed
    out = np.empty(len(codes), dtype=np.uint64)
    shift = np.uint64(64 - hash_bits)
    with np.errstate(over="ignore"):
        for n in range(1, hi + 1):
            count = len(codes) - n + 1
            if count <= 0:
                break
            # H(n-gram at i) = H((n-1)-gram at i) * PRIME + C(code at i + n - 1)
            if n == 2:  # a new array: ``mixed`` itself is still needed
                running = np.multiply(mixed[:count], _PRIME)
                np.add(running, mixed[1 : 1 + count], out=running)
            elif n > 2:
                h = running[:count]
                np.multiply(h, _PRIME, out=h)
                np.add(h, mixed[n - 1 : n - 1 + count], out=h)
            if n >= lo:
                yield n, np.right_shift(running[:count], shift, out=out[:count]).view(np.int64)


def _ones(n: int, dtype) -> np.ndarray:
    """A read-only array of n ones, sliced from a cached one (no fresh 20 MB per batch)."""
    cached = _ONES.get(np.dtype(dtype))
    if cached is None or len(cached) < n:
        cached = np.ones(max(n, 1 << 20), dtype=dtype)
        cached.flags.writeable = False
        _ONES[np.dtype(dtype)] = cached
    return cached[:n]


_ONES: dict[np.dtype, np.ndarray] = {}


class CharNgramCounter(TransformerMixin, BaseEstimator):
    """Counts of character n-grams (``ngram_range``), kept when seen in ``min_df`` training texts.

    N-grams are hashed into ``2**hash_bits`` slots; ``fit`` keeps the slots with enough document
    frequency and numbers them as columns (``column_of_slot_``: the column of every slot, -1 for
    slots not kept). Input: a list of strings. Output: a CSR count matrix.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_chars: int | None = 3000,
        hash_bits: int = 22,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_chars = max_chars
        self.hash_bits = hash_bits

    def fit(self, X, y=None):
        self._fit(X)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """``fit`` then ``transform`` without hashing the texts twice: the slot counts that gave the
        document frequencies are renumbered as columns (slots below ``min_df`` dropped)."""
        counts = self._fit(X)
        col = self.column_of_slot_[counts.indices]
        keep = col >= 0
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        indptr = np.zeros(counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=counts.shape[0]), out=indptr[1:])
        shape = (counts.shape[0], self.n_features_out_)
        return sp.csr_matrix((counts.data[keep], col[keep], indptr), shape=shape)

    def _fit(self, X) -> sp.csr_matrix:
        """Learn the kept slots; return the counts over all hash slots (one column per slot)."""
        lo, hi = self.ngram_range
        if not 1 <= lo <= hi:
            raise ValueError(f"bad ngram_range {self.ngram_range!r}")
        if isinstance(X, str):
            raise ValueError("CharNgramCounter expects a list of texts, not one string")
        # document frequency of every hash slot: count matrix over all slots, duplicates summed
        every_slot = self._counts(X, None, 1 << self.hash_bits)
        df = np.bincount(every_slot.indices, minlength=1 << self.hash_bits)
        self.slots_ = np.flatnonzero(df >= self.min_df).astype(np.int32)
        self.n_features_out_ = len(self.slots_)
        # one table lookup per n-gram at transform time; saved with the model (0.9 MB compressed)
        self.column_of_slot_ = np.full(1 << self.hash_bits, -1, dtype=np.int32)
        self.column_of_slot_[self.slots_] = np.arange(len(self.slots_), dtype=np.int32)
        return every_slot

    def transform(self, X):
        check_is_fitted(self, "column_of_slot_")
        return self._counts(X, self.column_of_slot_, self.n_features_out_)

    def _counts(self, X, table: np.ndarray | None, n_columns: int) -> sp.csr_matrix:
        """CSR counts; columns are ``table[slot]`` (slots absent from the table dropped) or, with
        no table, the slots themselves."""
        X = list(X)
        if len(X) <= _CHUNK:
            return self._chunk_counts(X, table, n_columns)
        parts = [self._chunk_counts(X[i : i + _CHUNK], table, n_columns) for i in range(0, len(X), _CHUNK)]
        return sp.vstack(parts, format="csr")

    def _chunk_counts(self, docs: list[str], table: np.ndarray | None, n_columns: int) -> sp.csr_matrix:
        """Entries of each row: the n-grams of the smallest n in text order, then the next n... with
        duplicates summed by scipy, in the order scipy gives (the order of a row's entries decides
        the float32 rounding of the products with the weights, so it must not change)."""
        pieces: list[np.ndarray] = []
        lengths = np.zeros(len(docs) + 1, dtype=np.int64)
        for first in range(0, len(docs), _BLOCK):
            block = docs[first : first + _BLOCK]
            lengths[first + 1 : first + 1 + len(block)] = self._block_entries(block, table, pieces)
        indices = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
        indptr = np.cumsum(lengths)
        # counts fit int16 when no row has 32,767 entries: scipy's merge then runs on smaller arrays
        small = len(docs) == 0 or int(lengths.max()) < np.iinfo(np.int16).max
        dtype = np.int16 if small else np.float32
        shape = (len(docs), n_columns)
        dup = sp.csr_matrix((_ones(len(indices), dtype), indices, indptr), shape=shape)
        # adding an empty matrix sums duplicate entries in one linear pass (no per-row sort)
        counts = dup + sp.csr_matrix(shape, dtype=dtype)
        if counts.dtype == np.float32:
            return counts
        # not counts.astype: that sorts each row's columns (scipy's sum_duplicates)
        return sp.csr_matrix((counts.data.astype(np.float32), counts.indices, counts.indptr), shape=shape)

    def _block_entries(self, docs: list[str], table: np.ndarray | None, pieces: list[np.ndarray]) -> np.ndarray | int:
        """Append each document's columns (per n, in text order) to ``pieces``; return how many
        each document has. A block of documents at a time keeps the arrays in cache."""
        codes = encode(docs, self.max_chars)
        seps = np.flatnonzero(codes == 0)  # document d spans codes[starts[d] : seps[d]]
        starts = np.concatenate(([0], seps + 1))
        runs, begins = [], []  # per n: the kept columns in text order, and where each document's begin
        for n, slots in hash_slots(codes, self.ngram_range, self.hash_bits):
            count = len(slots)
            col = np.take(table, slots) if table is not None else slots.astype(np.int32)
            across = (seps[:, None] - np.arange(n)).ravel()  # n-grams that contain a separator
            col[across[(across >= 0) & (across < count)]] = -1
            keep = col >= 0
            dropped = np.flatnonzero(~keep)
            at = np.minimum(starts, count)
            at -= np.searchsorted(dropped, at)  # kept n-grams before each document
            runs.append(col[keep])
            begins.append(np.append(at, count - len(dropped)))
        bounds = [at.tolist() for at in begins]
        pieces.extend([run[at[d] : at[d + 1]] for d in range(len(docs)) for run, at in zip(runs, bounds)])
        return np.sum([np.diff(at) for at in begins], axis=0) if begins else 0

    def get_feature_names_out(self, input_features=None):
        return np.array([f"slot{s}" for s in getattr(self, "slots_", [])], dtype=object)

    def ngram_columns(self, text: str) -> Iterator[tuple[int, np.ndarray]]:
        """Where each counted n-gram of ``text`` sits, for explanations: per n, the column of the
        n-gram starting at each position of ``encode([text], max_chars)`` (-1 where that n-gram is
        not a column). Positions are those of the cut, lower-cased, space-squeezed text."""
        check_is_fitted(self, "column_of_slot_")
        codes = encode([text], self.max_chars)
        for n, slots in hash_slots(codes, self.ngram_range, self.hash_bits):
            yield n, self.column_of_slot_[slots]
