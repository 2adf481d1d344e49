"""The label set, read from ``taxonomy.toml`` so that analysts can read and extend it."""
from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsmon.errors import ConfigError, LabelError

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")
# lexicon terms per seed phrase: a phrase's TF-IDF row is normalised, so a few terms each keep every
# term's weight in the topic's seed vector (its element-wise max over phrases) without one row per term
LEXICON_TERMS_PER_PHRASE = 6


@dataclass(frozen=True)
class Taxonomy:
    """The relevance gate's name and the topic labels, each with its definition."""

    relevance: str
    definitions: dict[str, str]  # every label, the relevance gate first, then topics in file order
    seeds: dict[str, list[str]] = field(default_factory=dict)  # topic -> example phrases

    @property
    def topics(self) -> list[str]:
        return [name for name in self.definitions if name != self.relevance]

    @property
    def names(self) -> list[str]:
        return list(self.definitions)

    def check(self, labels: Iterable[str], allow_relevance: bool = True) -> list[str]:
        """The labels, unchanged, or a LabelError naming the unknown ones and listing the valid."""
        labels = list(labels)
        valid = self.names if allow_relevance else self.topics
        unknown = [label for label in labels if label not in valid]
        if unknown:
            raise LabelError(unknown, valid)
        return labels


def load_taxonomy(path: str | Path = DEFAULT_TAXONOMY, lexicon: str | Path | None = "") -> Taxonomy:
    """The labels of ``path``; each topic's seed phrases are its own ``seeds`` plus the terms of
    every ``<lang>.toml`` in the ``lexicon`` folder (default: the ``lexicon`` folder beside
    ``path``, when there is one; None: no lexicon)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read taxonomy: {exc}", path=str(path)) from exc
    gate = data.get("relevance") or {}
    entries = data.get("label") or []
    if "name" not in gate or not entries:
        raise ConfigError("needs a [relevance] table and at least one [[label]]", path=str(path))
    definitions = {gate["name"]: gate.get("definition", "")}
    seeds: dict[str, list[str]] = {}
    for i, entry in enumerate(entries, 1):
        name = entry.get("name")
        if not name or not entry.get("definition"):
            raise ConfigError(f"label #{i} needs a name and a definition", path=str(path))
        if name in definitions:
            raise ConfigError(f"label {name!r} is defined twice", path=str(path))
        definitions[name] = " ".join(entry["definition"].split())
        phrases = entry.get("seeds", [])
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ConfigError(f"seeds of label {name!r} must be a list of strings", path=str(path))
        seeds[name] = list(phrases)
    if lexicon == "":
        lexicon = Path(path).with_name("lexicon") if Path(path).with_name("lexicon").is_dir() else None
    if lexicon is not None:
        for label, phrases in lexicon_phrases(Path(lexicon)).items():
            if label not in seeds:
                raise ConfigError(f"lexicon names an unknown label {label!r}", path=str(lexicon))
            seeds[label].extend(phrases)
    return Taxonomy(relevance=gate["name"], definitions=definitions, seeds=seeds)


def topic_names(path: str | Path = DEFAULT_TAXONOMY) -> list[str]:
    """The topics of ``path``, for checking names users type: read without the lexicon (nine more
    files, 20 ms a search page) and again only when the file changes."""
    try:
        stat = Path(path).stat()
    except OSError:
        return load_taxonomy(path, lexicon=None).topics  # its ConfigError says what is wrong
    return list(_topic_names(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _topic_names(path: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    return tuple(load_taxonomy(path, lexicon=None).topics)


def lexicon_phrases(folder: Path) -> dict[str, list[str]]:
    """Seed phrases from a lexicon folder: one ``<lang>.toml`` per language, a ``[label]`` table
    with ``terms = [...]`` per topic, joined ``LEXICON_TERMS_PER_PHRASE`` terms to a phrase."""
    phrases: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read lexicon: {exc}", path=str(path)) from exc
        for label, table in data.items():
            terms = table.get("terms") if isinstance(table, dict) else None
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise ConfigError(f"[{label}] needs terms = [\"...\", ...]", path=str(path))
            step = LEXICON_TERMS_PER_PHRASE
            phrases.setdefault(label, []).extend("; ".join(terms[i : i + step]) for i in range(0, len(terms), step))
    return phrases
