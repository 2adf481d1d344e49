"""Character n-gram counts computed with numpy, for text in any script.

Why not ``TfidfVectorizer(analyzer="char_wb")``: its analyzer is a Python loop over every n-gram,
about 250 articles/s at 3,000 characters. Here the n-grams of a whole batch are hashed with vector
arithmetic on code points, so tagging runs at thousands of articles per second on one core. Char
n-grams need no tokenizer, so Chinese (no spaces), Arabic and Russian work like English.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the polynomial hash over the top bits


_SPACES = np.array([9, 10, 11, 12, 13, 32, 0xA0, 0x3000], dtype=np.uint64)


def encode(texts: list[str], max_chars: int | None, fold_digits: bool = True) -> np.ndarray:
    """Code points of the texts joined by 0, lower case, each cut to ``max_chars`` and padded with
    a space; runs of whitespace become one space and digits 1-9 become 0 ("2023" ~ "2024")."""
    joined = "\x00".join(f" {t[:max_chars].lower()} " for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes[np.isin(codes, _SPACES)] = 32
    if fold_digits:
        codes[(codes >= 49) & (codes <= 57)] = 48
    space = codes == 32
    repeat = np.zeros(len(codes), dtype=bool)
    np.logical_and(space[1:], space[:-1], out=repeat[1:])  # a space right after a space
    return codes[~repeat] if repeat.any() else codes


class CharNgramCounter(TransformerMixin, BaseEstimator):
    """Counts of character n-grams (``ngram_range``), kept when seen in ``min_df`` training texts.

    N-grams are hashed into ``2**hash_bits`` slots; ``fit`` keeps the slots with enough document
    frequency and numbers them as columns. Input: a list of strings. Output: a CSR count matrix.
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
        col = self._lookup()[counts.indices]
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
        self._table = None
        return every_slot

    def transform(self, X):
        check_is_fitted(self, "slots_")
        return self._counts(X, self._lookup(), self.n_features_out_)

    def _counts(self, X, table: np.ndarray | None, n_columns: int) -> sp.csr_matrix:
        """CSR counts; columns are ``table[slot]`` (slots absent from the table dropped) or, with
        no table, the slots themselves."""
        rows, cols, n_docs = [], [], len(X)
        for _, seps, slots, inside in self._ngrams(X):
            col = slots if table is None else table[slots]
            keep = inside if table is None else inside & (col >= 0)
            rows.append(seps[: len(slots)][keep])
            cols.append(col[keep])
        # each n gives one run of entries in document order; interleave the runs row by row
        counts = [np.bincount(r, minlength=n_docs) for r in rows]
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.sum(counts, axis=0) if counts else np.zeros(n_docs, np.int64), out=indptr[1:])
        indices = np.empty(indptr[-1], dtype=np.int32)
        filled = indptr[:-1].copy()  # next free slot of each row
        for run_rows, run_cols, count in zip(rows, cols, counts):
            run_start = np.cumsum(count) - count  # where each row begins within this run
            indices[filled[run_rows] + np.arange(len(run_rows)) - run_start[run_rows]] = run_cols
            filled += count
        shape = (n_docs, n_columns)
        dup = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=shape)
        # adding an empty matrix sums duplicate entries in one linear pass (no per-row sort)
        return dup + sp.csr_matrix(shape, dtype=np.float32)

    def get_feature_names_out(self, input_features=None):
        return np.array([f"slot{s}" for s in getattr(self, "slots_", [])], dtype=object)

    def _lookup(self) -> np.ndarray:
        if getattr(self, "_table", None) is None:
            table = np.full(1 << self.hash_bits, -1, dtype=np.int32)
            table[self.slots_] = np.arange(len(self.slots_), dtype=np.int32)
            self._table = table
        return self._table

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_table", None)  # 16 MB derived from slots_; rebuilt on first use
        return state

    def _ngrams(self, docs, only_n: int | None = None):
        """Per n: (n, document of each position, hash slot of the n-gram starting there, and
        whether that n-gram lies within one document rather than across a separator)."""
        codes = encode(docs, self.max_chars)
        seps = np.concatenate(([0], np.cumsum(codes == 0)))
        h = np.zeros(len(codes), dtype=np.uint64)
        shift = np.uint64(64 - self.hash_bits)
        with np.errstate(over="ignore"):
            for n in range(1, self.ngram_range[1] + 1):
                count = len(codes) - n + 1
                if count <= 0:
                    break
                # the hash of the n-gram at i extends that of the (n-1)-gram at i: one pass per n
                h = h[:count] * _PRIME + codes[n - 1 : n - 1 + count]
                if n < self.ngram_range[0] or (only_n is not None and n != only_n):
                    continue
                slots = ((h * _MIX) >> shift).view(np.int64)  # < 2**hash_bits: same bits, no copy
                yield n, seps, slots, seps[n : n + count] == seps[:count]
