"""Furniture that one source repeats across its titles is cut; a headline never is (newsmon.sourcefurniture)."""
from __future__ import annotations

import pytest

from newsmon.sourcefurniture import RecentTitles, strip_repeated

OUTLET = [f"{h} - Section | Outlet" for h in (
    "Parliament passes the budget", "Storm closes schools", "Minister resigns over leak", "Rates held again")]


@pytest.mark.parametrize("title, siblings, expected", [
    # a section and outlet that og:site_name does not name
    ("Court blocks the new AI rules - Section | Outlet", OUTLET, "Court blocks the new AI rules"),
    # a date that changes every day is the same furniture ("– DW – <date>")
    ("Germany tightens chip export rules – DW – 13.06.2023",
     ["EU agrees on AI act – DW – 09.12.2023", "Floods hit Bavaria – DW – 02.06.2024",
      "Scholz visits Beijing – DW – 14.04.2024", "Strikes halt trains – DW – 10.01.2024"],
     "Germany tightens chip export rules"),
    # Czech, with accents
    ("Vláda schválila rozpočet - Seznam Zprávy",
     ["Prezident jmenoval ministra - Seznam Zprávy", "Sněžení komplikuje dopravu - Seznam Zprávy",
      "Inflace zpomalila - Seznam Zprávy"], "Vláda schválila rozpočet"),
    # Japanese, a full-width colon
    ("政府、AI規制の新法案を閣議決定：朝日新聞デジタル",
     ["東京で記録的な大雨：朝日新聞デジタル", "日銀、金利を据え置き：朝日新聞デジタル",
      "首相が訪米へ　首脳会談で調整：朝日新聞デジタル"], "政府、AI規制の新法案を閣議決定"),
    # German, a pipe
    ("Zinswende rückt näher | Börsen-Zeitung",
     ["Dax schließt im Plus | Börsen-Zeitung", "Banken bauen Stellen ab | Börsen-Zeitung",
      "Anleihen unter Druck | Börsen-Zeitung", "Ein Artikel ohne Zusatz"], "Zinswende rückt näher"),
    # a section that varies from page to page, each repeated on several pages
    ("Wildfire smoke reaches the capital - National",
     ["Budget vote delayed - National", "Hospital wait times grow - National", "Ferry strike ends - National",
      "Summit opens in Geneva - World", "Elections called in Peru - World", "Quake shakes Taiwan - World"],
     "Wildfire smoke reaches the capital"),
    # a leading part
    ("Opinion | Why the treaty matters", ["Opinion | A better way to tax", "Opinion | Cities need trees",
                                          "Opinion | The case for rail"], "Why the treaty matters"),
    # Russian, an em dash and a trailing outlet
    ("Совбез ООН обсудил ИИ — Новости дня",
     ["Курс рубля упал — Новости дня", "В Москве выпал снег — Новости дня", "Открылся новый мост — Новости дня"],
     "Совбез ООН обсудил ИИ"),
])
def test_repeated_furniture_is_cut(title, siblings, expected):
    assert strip_repeated(title, siblings) == expected


@pytest.mark.parametrize("title, siblings", [
    # too few siblings: a brand-new source keeps its titles as read
    ("Court blocks the new AI rules - Section | Outlet", OUTLET[:2]),
    # copies of one headline are one sibling, not three
    ("Court blocks the new AI rules - Section | Outlet", [OUTLET[0]] * 5),
    # the same headline again proves nothing
    (OUTLET[0], [OUTLET[0], OUTLET[0].replace(" - ", " – ")]),
    # shared by three, but not by half of the source's titles
    ("Court blocks the new AI rules | Outlet", OUTLET[:3] + [f"Headline number {n}" for n in range(5)]),
    # a part that does not repeat is the headline's own
    ("Ukraine - Russia talks resume", ["Budget passes", "Storm hits coast", "Rates held", "Teachers strike"]),
    # nothing would be left but a stub
    ("Live - Section | Outlet", OUTLET),
    # a title that is all furniture stays whole
    ("Section | Outlet", OUTLET),
    ("", OUTLET),
])
def test_a_headline_is_never_cut_without_evidence(title, siblings):
    assert strip_repeated(title, siblings) == title


def test_a_varying_part_that_recurs_too_rarely_stays():
    siblings = ["Budget vote delayed - National", "Hospital wait times grow - National", "Ferry strike ends - National",
                "Summit opens in Geneva - World", "Elections called in Peru - World", "Quake shakes Taiwan - World"]
    assert strip_repeated("Museum reopens - Culture", siblings) == "Museum reopens - Culture"


def test_recent_titles_learn_as_titles_pass_and_keep_them_as_read():
    recent = RecentTitles(size=3)
    recent.load("desk", ["Storm closes schools | Outlet", "Rates held again | Outlet"])  # newest first
    assert recent.strip("desk", "Parliament passes the budget | Outlet") == "Parliament passes the budget | Outlet"
    assert recent.strip("desk", "Minister resigns over leak | Outlet") == "Minister resigns over leak"
    assert recent.strip("other", "Minister resigns over leak | Outlet") == "Minister resigns over leak | Outlet"
    assert recent.strip("desk", None) is None
    # the first ones have left the window of three; the cut titles were remembered uncut
    recent.strip("desk", "Something else entirely")
    recent.strip("desk", "And one more headline")
    assert recent.strip("desk", "Court blocks the rules | Outlet") == "Court blocks the rules | Outlet"
