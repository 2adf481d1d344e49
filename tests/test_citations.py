"""The citation finder: official and news forms in several languages, look-alikes rejected, and the
labelled sets in bench/data/ scored against the floors in bench/citations_floors.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmon.citations import cited_symbols, find_citations, kind_of, normalise, official_url, organ_of

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("text, expected", [
    ("The General Assembly adopted resolution 78/265 on AI.", ["A/RES/78/265"]),
    ("la résolution 78/265 de l'Assemblée générale", ["A/RES/78/265"]),
    ("联合国大会第78/265号决议", ["A/RES/78/265"]),
    ("联合国大会第78/265号和第78/311号决议", ["A/RES/78/265", "A/RES/78/311"]),
    ("резолюция Генеральной Ассамблеи 78/265", ["A/RES/78/265"]),
    ("قرار الجمعية العامة 78/265", ["A/RES/78/265"]),
    ("اعتمدت الجمعية العامة القرار ٧٩/٦٢", ["A/RES/79/62"]),
    ("Human Rights Council resolutions 53/29 and 54/3", ["A/HRC/RES/53/29", "A/HRC/RES/54/3"]),
    ("Security Council resolution 2719 (2023)", ["S/RES/2719(2023)"]),
    ("安理会第2719(2023)号决议", ["S/RES/2719(2023)"]),
    ("S/PV.9381, A/HRC/RES/53/29, A/78/L.49 and A/79/88", ["S/PV.9381", "A/HRC/RES/53/29", "A/78/L.49", "A/79/88"]),
    ("the revision A/78/L.49/Rev. 1", ["A/78/L.49/Rev.1"]),
    ("S/RES/2719 (2023)", ["S/RES/2719(2023)"]),
    ("全文见A／RES／78／265。", ["A/RES/78/265"]),
    ("https://docs.un.org/en/A/RES/78/265.", ["A/RES/78/265"]),
    ("joint letter A/79/150-S/2024/510", ["A/79/150", "S/2024/510"]),
])
def test_finds_and_normalises(text, expected):
    assert cited_symbols(text) == expected


@pytest.mark.parametrize("text", [
    "The meeting on 12/05 had 78/265 delegates.",
    "certified under ISO/IEC 42001 and ISO 27001:2022",
    "see pages 78/265 of the proceedings",
    "The board passed resolution 12/2024 on GPUs.",
    "Officials said resolution 78/265 would be discussed again.",  # no organ named: not resolvable
    "The General Assembly of the football league adopted resolution 5/12.",
    "A/B testing; the A/C unit; Regulation (EU) 2024/1689",
    "The Security Council met for 3 hours; 2719 people watched.",
])
def test_look_alikes_are_not_citations(text):
    assert find_citations(text) == []


def test_organ_named_nearest_wins():
    text = ("The Human Rights Council met in Geneva. Separately, the General Assembly adopted resolution 78/265, "
            "and the Council recalled its resolution 53/29.")
    assert cited_symbols(text) == ["A/RES/78/265", "A/HRC/RES/53/29"]


def test_positions_point_at_the_mention():
    text = "The General Assembly adopted A/RES/78/265."
    (citation,) = find_citations(text)
    assert text[citation.start:citation.end] == "A/RES/78/265"
    assert citation.form == "official"


def test_symbol_helpers():
    assert normalise("a/res/78/265") == "A/RES/78/265"
    assert normalise("A/4") is None
    assert organ_of("A/HRC/RES/53/29") == "HRC"
    assert organ_of("A/RES/78/265") == "GA"
    assert organ_of("S/PV.9381") == "SC"
    assert organ_of("ST/SGB/2024/3") == "ST"
    assert kind_of("A/78/L.49") == "draft"
    assert kind_of("S/RES/2719(2023)") == "resolution"
    assert kind_of("S/PV.9381") == "record"
    assert official_url("A/RES/78/265") == "https://docs.un.org/en/A/RES/78/265"
    assert official_url("A/RES/78/265", "fr") == "https://docs.un.org/fr/A/RES/78/265"
    assert official_url("A/RES/78/265", "de") == "https://docs.un.org/en/A/RES/78/265"


@pytest.mark.parametrize("name", ["citations.jsonl", "citations-heldout.jsonl"])
def test_labelled_sets_stay_above_floors(name):
    import sys

    sys.path.insert(0, str(BENCH.parent))
    from bench.citations import read_set, score

    floors = json.loads((BENCH / "citations_floors.json").read_text())
    records = read_set(BENCH / "data" / name)
    result = score(records)
    assert result["all"]["precision"] >= floors["precision"], result["errors"]
    assert result["all"]["recall"] >= floors["recall"], result["errors"]


def test_labelled_set_is_large_and_multilingual():
    records = [json.loads(line) for line in (BENCH / "data" / "citations.jsonl").read_text().splitlines()]
    assert sum(len(r["symbols"]) for r in records) >= 150
    assert len({r["lang"] for r in records if r["symbols"]}) >= 6
    assert sum(1 for r in records if not r["symbols"]) >= 30
