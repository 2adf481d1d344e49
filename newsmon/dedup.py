"""Near-duplicate text detection: normalised shingles, MinHash signatures and an LSH index.

Pure text in, decisions out: nothing here knows of SQL or Scrapy (``storage.storyindex`` persists
the signatures and rebuilds a :class:`CopyIndex` from them). Two texts are *copies* when the
MinHash estimate says they share most of their shingles (Jaccard), or when the shorter one is
almost wholly contained in the longer one (an AMP teaser, a wire copy with a paragraph cut or a
page with extra boilerplate). The LSH index only proposes candidates; every candidate is verified
on its estimated Jaccard and containment before it counts.
"""
from __future__ import annotations

import dataclasses
import gc
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.storage import DictSetStorage

from newsmon.settings import DEDUP

SCHEME = "affine32"  # datasketch 2.0's default permutation scheme: uint32 hash values
SEED = 1  # fixed: stored signatures are only comparable with sketches of the same seed


def _setting(name: str) -> Any:
    """A field whose default and help are the NEWSMON_DEDUP_<NAME> setting's (newsmon.settings)."""
    declared = DEDUP[name]
    return field(default=declared.default, metadata={"help": declared.help})


@dataclass(frozen=True)
class DedupSettings:
    """Thresholds and sizes for story identity; defaults measured with ``bench/dedup.py``."""

    num_perm: int = _setting("num_perm")
    shingle: int = _setting("shingle")
    lsh_bands: int = _setting("lsh_bands")
    lsh_rows: int = _setting("lsh_rows")
    min_jaccard: float = _setting("min_jaccard")
    min_containment: float = _setting("min_containment")
    min_shingles: int = _setting("min_shingles")
    window_days: int = _setting("window_days")
    change_threshold: float = _setting("change_threshold")

    def __post_init__(self) -> None:
        if self.lsh_bands < 2 or self.lsh_rows < 1 or self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError(f"lsh_bands ({self.lsh_bands}) x lsh_rows ({self.lsh_rows}) must fit in num_perm ({self.num_perm})")
        for name in ("min_jaccard", "min_containment", "change_threshold"):
            if not 0.0 <= getattr(self, name) <= 1.01:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.shingle < 1:
            raise ValueError(f"shingle must be at least 1, got {self.shingle}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], prefix: str = "DEDUP_") -> DedupSettings:
        """Settings from e.g. Scrapy settings or ``os.environ`` (``DEDUP_MIN_JACCARD=0.6``)."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = prefix + f.name.upper()
            if key in values and values[key] not in (None, ""):
                kwargs[f.name] = type(f.default)(values[key])
        return cls(**kwargs)

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata["help"] for f in dataclasses.fields(cls)}


# ---------------------------------------------------------------- normalisation and shingles

_SINGLE_QUOTES = re.compile("[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4\u2039\u203a]")
_DOUBLE_QUOTES = re.compile("[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u300c\u300d\u300e\u300f]")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero widths
# Scripts written without spaces between words: shingled by characters.
_SPACELESS = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Japanese kana, CJK
    "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"  # Thai, Lao, Khmer, Myanmar
)
_SPACELESS_CHAR = re.compile(f"[{_SPACELESS}]")
_WORD = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W+")


def _weights(count: int, state: int = 0x6E6577736D6F6E) -> np.ndarray:
    """Fixed odd 64-bit weights from the SplitMix64 sequence (pure Python: stable forever).

    A unit's hash weighs each character by its position in the unit, and a shingle's hash weighs
    each unit by its position in the shingle (arithmetic wraps mod 2**64).
    """
    mask, out = (1 << 64) - 1, []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        out.append((z ^ (z >> 31)) | 1)
    return np.array(out, dtype=np.uint64)


_WEIGHTS = _weights(64)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: spreads every input bit over the whole 64-bit word."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def normalise(text: str) -> str:
    """NFKC, case-folded, with quotes, dashes and whitespace unified: copies differ less."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _DASHES.sub("-", _DOUBLE_QUOTES.sub('"', _SINGLE_QUOTES.sub("'", text)))
    return " ".join(text.casefold().split())


def _fold(text: str) -> str:
    """What shingling needs of :func:`normalise`: punctuation and spacing are dropped later anyway."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _words(text: str) -> str:
    """A folded text as words separated by single spaces, punctuation dropped. Each character of a
    script written without spaces (Chinese, Japanese, Thai...) is a word of its own, so shingles
    are character n-grams there, and a bilingual text is shingled one way throughout."""
    if _SPACELESS_CHAR.search(text):
        text = _SPACELESS_CHAR.sub(r" \g<0> ", text)
    return _NON_WORD.sub(" ", text).strip()


def shingles(text: str, settings: DedupSettings | None = None) -> set[str]:
    """The set of shingles of ``text``: n-grams of words (of characters for spaceless scripts).

    Punctuation is dropped, so quote, dash and spacing differences between copies vanish. A text
    shorter than one shingle gives a single shorter shingle (or none when it has no words).
    Readable form of :func:`shingle_hashes`, which signatures use.
    """
    n = (settings or DedupSettings()).shingle
    units = _words(_fold(text)).split()
    if not units:
        return set()
    if len(units) <= n:
        return {" ".join(units)}
    return {" ".join(units[i : i + n]) for i in range(len(units) - n + 1)}


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _unit_codes(text: str) -> np.ndarray:
    """One 64-bit code per word of :func:`_words`, computed with numpy (no Python loop per word),
    so that signing a long article costs a fraction of a millisecond."""
    cp = _codepoints(_words(_fold(text)))
    if not len(cp):
        return cp
    space = cp == 32
    starts_mask = np.empty(len(cp), dtype=bool)
    starts_mask[0] = True
    starts_mask[1:] = space[:-1]
    index = np.arange(len(cp))
    position = index - np.maximum.accumulate(np.where(starts_mask, index, 0))
    weighted = cp * _WEIGHTS[position % len(_WEIGHTS)]
    weighted[space] = 0
    return np.add.reduceat(weighted, np.flatnonzero(starts_mask))


def shingle_hashes(text: str, settings: DedupSettings | None = None) -> np.ndarray:
    """Distinct 32-bit hashes of the shingles of ``text`` (the shingles of :func:`shingles`).

    Stable across processes and machines (no salted ``hash()``), so stored signatures stay valid.
    """
    n = (settings or DedupSettings()).shingle
    codes = _unit_codes(text)
    if not len(codes):
        return np.empty(0, dtype=np.uint32)
    codes = _splitmix(codes)
    n = min(n, len(codes))
    count = len(codes) - n + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for j in range(n):
        mixed += codes[j : j + count] * _WEIGHTS[j]
    return np.unique((_splitmix(mixed) >> np.uint64(32)).astype(np.uint32))


# ---------------------------------------------------------------- signatures

_HEADER = struct.Struct("<BHI")  # format version, num_perm, number of shingles
_VERSION = 1


@dataclass(frozen=True, eq=False, slots=True)
class Signature:
    """A MinHash sketch of a text's shingles plus the number of shingles (for containment)."""

    hashvalues: np.ndarray  # uint32, one per permutation
    size: int

    def to_bytes(self) -> bytes:
        return _HEADER.pack(_VERSION, len(self.hashvalues), self.size) + self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        version, num_perm, size = _HEADER.unpack_from(data)
        if version != _VERSION or len(data) != _HEADER.size + 4 * num_perm:
            raise ValueError(f"not a version-{_VERSION} signature ({len(data)} bytes)")
        values = np.frombuffer(data, dtype="<u4", offset=_HEADER.size).astype(np.uint32)
        return cls(values, size)

    def minhash(self) -> LeanMinHash:
        return LeanMinHash(seed=SEED, hashvalues=self.hashvalues, scheme=SCHEME)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        if self.size == 0 or other.size == 0:
            return 0.0
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)

    def containment(self, other: Signature, jaccard: float | None = None) -> float:
        """Estimated share of the smaller set that lies in the larger one.

        From J = |A∩B| / |A∪B| and the set sizes: |A∩B| = J (|A| + |B|) / (1 + J).
        """
        j = self.jaccard(other) if jaccard is None else jaccard
        smaller = min(self.size, other.size)
        if smaller == 0:
            return 0.0
        return min(1.0, j * (self.size + other.size) / (1.0 + j) / smaller)


class Match(NamedTuple):
    key: Any
    group: Any
    jaccard: float
    containment: float


def compare(a: Signature, b: Signature, settings: DedupSettings) -> Match | None:
    """A :class:`Match` (without key/group) when ``a`` and ``b`` are copies, else None."""
    if min(a.size, b.size) < settings.min_shingles:
        return None
    j = a.jaccard(b)
    c = a.containment(b, j)
    if j >= settings.min_jaccard or c >= settings.min_containment:
        return Match(None, None, j, c)
    return None


class Signer:
    """Computes signatures with one reusable MinHash: generating permutations costs more than hashing.

    Not thread-safe; make one per thread.
    """

    def __init__(self, settings: DedupSettings | None = None) -> None:
        self.settings = settings or DedupSettings()
        # The shingle hashes are already uniform 32-bit integers: the hash function passes them on.
        self._minhash = MinHash(num_perm=self.settings.num_perm, seed=SEED, hashfunc=int, scheme=SCHEME)

    def sign_hashes(self, hashes: np.ndarray) -> Signature:
        m = self._minhash
        m.clear()
        if len(hashes):
            m.update_batch(hashes.tolist())
        return Signature(m.hashvalues.astype(np.uint32), int(len(hashes)))

    def sign(self, text: str) -> Signature:
        return self.sign_hashes(shingle_hashes(text, self.settings))


def sign(text: str, settings: DedupSettings | None = None) -> Signature:
    """Signature of ``text`` (one-off; use a :class:`Signer` in loops)."""
    return Signer(settings).sign(text)


def is_copy(a: str, b: str, settings: DedupSettings | None = None) -> bool:
    """Whether texts ``a`` and ``b`` are copies of one another (for tests and one-off checks)."""
    signer = Signer(settings)
    return compare(signer.sign(a), signer.sign(b), signer.settings) is not None


def text_change(old: str, new: str, settings: DedupSettings | None = None) -> float:
    """Share of shingles that differ between two versions of a text (1 - exact Jaccard)."""
    a, b = shingle_hashes(old, settings), shingle_hashes(new, settings)
    union = len(np.union1d(a, b))
    if union == 0:
        return 0.0
    return 1.0 - len(np.intersect1d(a, b, assume_unique=True)) / union


# ---------------------------------------------------------------- the index


_MISSING = object()


class _Buckets(DictSetStorage):
    """One LSH band's buckets, most holding a single key: kept bare, a set only from the second.

    Same interface as datasketch's in-memory storage; saves the ~200 bytes of a one-element set
    per article and band (a third of the index's memory). Keys must not be sets themselves.
    """

    def __init__(self) -> None:
        self._dict: dict[Any, Any] = {}

    def get(self, key: Any) -> Iterable[Any]:
        value = self._dict.get(key, _MISSING)
        if value is _MISSING:
            return ()
        return value if isinstance(value, set) else (value,)

    def insert(self, key: Any, *vals: Any, **kwargs: Any) -> None:
        for val in vals:
            current = self._dict.get(key, _MISSING)
            if current is _MISSING:
                self._dict[key] = val
            elif isinstance(current, set):
                current.add(val)
            elif current != val:
                self._dict[key] = {current, val}

    def remove_val(self, key: Any, val: Any, **kwargs: Any) -> None:
        current = self._dict[key]
        if isinstance(current, set):
            current.remove(val)
            if len(current) == 1:
                self._dict[key] = next(iter(current))
        elif current == val:
            del self._dict[key]
        else:
            raise KeyError(val)

    def remove(self, *keys: Any, **kwargs: Any) -> None:
        for key in keys:
            self._dict.pop(key, None)

    def itemcounts(self, **kwargs: Any) -> dict[Any, int]:
        return {k: len(v) if isinstance(v, set) else 1 for k, v in self._dict.items()}


class CopyIndex:
    """In-memory LSH over signatures; each key (an article) belongs to a group (a story).

    Candidates come from datasketch's :class:`MinHashLSH`; :meth:`matches` verifies each one,
    so a query costs a few dictionary look-ups, not a scan.
    """

    def __init__(self, settings: DedupSettings | None = None) -> None:
        self.settings = settings or DedupSettings()
        s = self.settings
        self._lsh = MinHashLSH(num_perm=s.num_perm, params=(s.lsh_bands, s.lsh_rows))
        self._lsh.hashtables = [_Buckets() for _ in self._lsh.hashtables]
        self._entries: dict[Any, tuple[Any, Signature]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Any) -> bool:
        return key in self._entries

    def group_of(self, key: Any) -> Any:
        return self._entries[key][0]

    def add(self, key: Any, group: Any, signature: Signature) -> None:
        """Index ``signature`` under ``key`` (replacing an earlier one); short texts are not indexed."""
        self.discard(key)
        if signature.size < self.settings.min_shingles:
            return
        self._lsh.insert(key, signature.minhash(), check_duplication=False)
        self._entries[key] = (group, signature)

    def bulk_add(self, rows: Iterable[tuple[Any, Any, Signature]]) -> None:
        """Add many ``(key, group, signature)`` rows at once (rebuilding at start); known keys are skipped.

        Band keys are computed with numpy for all rows and written to the LSH's own storage, the
        same bytes ``MinHashLSH.insert`` would write (checked by a query afterwards, else it falls
        back to inserting one by one): 100,000 signatures take about a second instead of 15.
        The signatures are kept as rows of one matrix, not one array each.
        """
        minimum = self.settings.min_shingles
        new = {k: (g, sig) for k, g, sig in rows if sig.size >= minimum and k not in self._entries}
        if not new:
            return
        keys = list(new)
        first = keys.pop(0)
        self.add(first, *new[first])  # through the public API: the index learns the MinHash scheme
        if not keys:
            return
        matrix = np.stack([new[k][1].hashvalues for k in keys]).astype(np.uint32)
        sizes = [new[k][1].size for k in keys]
        lsh = self._lsh
        width = np.dtype((np.void, 4 * lsh.r))
        bands = [
            np.ascontiguousarray(matrix[:, start:end], dtype=">u4").view(width).ravel().tolist()
            for start, end in lsh.hashranges
        ]
        collecting = gc.isenabled()
        gc.disable()  # a million new sets would trigger full collections over and over
        try:
            for table, band in zip(lsh.hashtables, bands):
                for key, h in zip(keys, band):
                    table.insert(h, key)
            for n, key in enumerate(keys):
                lsh.keys.insert(key, *(band[n] for band in bands))
                self._entries[key] = (new[key][0], Signature(matrix[n], sizes[n]))
        finally:
            if collecting:
                gc.enable()
        if keys[-1] not in lsh.query(self._entries[keys[-1]][1].minhash()):  # datasketch changed its layout
            for key in keys:
                lsh.remove(key) if key in lsh else None
                self._entries.pop(key)
            for key in keys:
                self.add(key, *new[key])

    def discard(self, key: Any) -> None:
        if self._entries.pop(key, None) is not None:
            self._lsh.remove(key)

    def matches(self, signature: Signature) -> list[Match]:
        """Verified copies of ``signature`` in the index, best first."""
        if signature.size < self.settings.min_shingles:
            return []
        found = []
        for key in self._lsh.query(signature.minhash()):
            group, other = self._entries[key]
            m = compare(signature, other, self.settings)
            if m is not None:
                found.append(m._replace(key=key, group=group))
        found.sort(key=lambda m: (m.jaccard, m.containment), reverse=True)
        return found

    def iter_entries(self) -> Iterator[tuple[Any, Any, Signature]]:
        for key, (group, signature) in self._entries.items():
            yield key, group, signature
