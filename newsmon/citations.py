"""UN document symbols cited in a text, normalised to their official form.

Pure text in, symbols out: knows nothing of Scrapy, SQL or HTML. Two kinds of mention are found:

* official symbols as printed on the documents (``A/RES/78/265``, ``S/PV.9381``,
  ``A/HRC/RES/53/29``, ``A/78/L.49/Rev.1``, ``S/RES/2719 (2023)``), in any language's text;
* the forms news uses ("resolution 78/265", "la résolution 78/265", "第78/265号决议",
  "резолюция 78/265", "القرار 78/265", "resolution 2719 (2023)"), read as a General Assembly,
  Human Rights Council, Security Council or ECOSOC resolution only when the text names that organ
  (nearby, or as the only one of the candidate organs the article mentions next to the UN).

Precision comes first: a number after "resolution" is only a UN symbol when its shape fits the
organ (GA and HRC: session/number, SC: number (year), ECOSOC: year/number) and its values are
plausible; dates, ISO standards, page ranges and scores are never read as symbols.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Highest plausible session numbers: GA met in its 81st session in 2026, the HRC in its 61st.
MAX_GA_SESSION = 90
MAX_HRC_SESSION = 70
MAX_RESOLUTION_NUMBER = 400  # GA adopts about 300 resolutions a session
OFFICIAL_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
OFFICIAL_COPY = "https://docs.un.org/{lang}/{symbol}"

# Series symbols start with one of these bodies (the UN's own and its treaty bodies').
PREFIXES = ("A", "S", "E", "ST", "TD", "DP", "UNEP", "CCPR", "CRC", "CERD", "CEDAW", "CAT", "CRPD", "CMW",
            "CED", "FCCC", "ECE", "UNW", "ICCD", "ITU")
# Components written in title case in official symbols; every other letter component is upper case.
TITLE_CASE = {"REV": "Rev", "ADD": "Add", "CORR": "Corr", "AMEND": "Amend", "SUMMARY": "Summary"}

_SLASH = "[/／]"
_OFFICIAL = re.compile(
    r"(?<![A-Za-z0-9.])"
    rf"(?P<sym>(?:{'|'.join(sorted(PREFIXES, key=len, reverse=True))}|[ase](?={_SLASH}(?i:res|hrc|pv)\b))"
    rf"(?>{_SLASH}(?:ES-\d{{1,2}}|S-\d{{1,2}}|[A-Za-z][A-Za-z]{{0,9}}(?:\.\s?\d{{1,5}})?|\d{{1,5}}))+)"
    r"(?P<year>\s?\(\d{4}\))?"
    r"(?![A-Za-z0-9])"
)

# Words for "resolution" in the six UN languages and a few others, each followed by numbers.
_KEYWORD = (
    r"(?:[Rr]esolutions?|[Rr]ésolutions?|[Rr]esoluci(?:ón|on|ones)|[Rr]esoluç(?:ão|ões)|[Rr]isoluzion[ei]"
    r"|Resolutionen|[Rr]esolutie|[Rr]es\.|[Рр]езолюци[яиюей]\w*|(?:ال)?قرار(?:ات|ها)?|決議|决议|결의)"
)
_NUMBER_WORD = r"(?:\s*(?:No\.|no\.|n[°º]\.?|núm\.|num\.|nr\.|№|number|numéro|número|رقم))?"
# One number in a news form: session/number (GA, HRC, special sessions) or SC number (year) or number.
def _num(named: bool) -> str:
    def group(name: str) -> str:
        return f"?P<{name}>" if named else "?:"

    return (
        rf"(?:({group('ses')}\d{{1,2}}|ES-\d{{1,2}}|S-\d{{1,2}}){_SLASH}({group('res')}\d{{1,3}})(?![\d/／])"
        rf"|({group('sc')}\d{{3,4}})\s?[(（]\s?({group('scyear')}(?:19|20)\d\d)\s?[)）]"
        rf"|({group('bare')}\d{{3,4}})(?![\d/／]|[.,:\-]\d)"
        r")"
    )


_NUM = _num(named=True)
_SEP = r"(?:\s*(?:,|，|、|;|\band\b|\bet\b|\by\b|\be\b|\bund\b|\bи\b|و|和|及|与)\s*)"
_NEWS = None  # compiled below, once the organs' names are known

_ONE_NUM = re.compile(_NUM)
# Chinese and Japanese put the number first: 第78/265号决议, 第78/265号和第78/311号决议, 第2719(2023)号决议.
_CJK = re.compile(
    rf"(?P<list>(?:第\s*{_num(False)}\s*号\s*(?:[、和及与,，]\s*)?)+)(?:決議|决议)"
)
_CJK_NUM = re.compile(rf"第\s*{_NUM}\s*号")

# Where the text names an organ. Case matters for the short forms only.
_ORGANS = {
    # "General Assembly of the Chess Federation", "Asamblea General de socios" are not the UN's.
    "GA": r"General Assembly(?! of (?!the United Nations))|\bUNGA\b|\bGA\b|Assemblée générale|Assemblée\b|Asamblea General(?! de (?:accionistas|socios))|Assembleia Geral"
          r"|Assemblea [Gg]enerale|Generalversammlung|Vollversammlung|Генеральн\w* Ассамбле\w*|Ассамбле\w*"
          r"|الجمعية العامة|联合国大会|联大|大会|国連総会|총회|(?<!General )\bAssembly\b",
    "HRC": r"Human Rights Council|\bHRC\b|Conseil des droits de l.homme|Consejo de Derechos Humanos"
           r"|Conselho de Direitos Humanos|Consiglio (?:per i|dei) [Dd]iritti [Uu]mani|Menschenrechtsrat"
           r"|Совет\w* по правам человека|مجلس حقوق الإنسان|人权理事会|人権理事会|인권이사회",
    "SC": r"Security Council|\bUNSC\b|Conseil de sécurité|Consejo de Seguridad|Conselho de Segurança"
          r"|Consiglio di [Ss]icurezza|Sicherheitsrat|Совет\w* Безопасности|مجلس الأمن|安全理事会|安理会|安保理|안전보장이사회",
    "ECOSOC": r"ECOSOC|Economic and Social Council|Conseil économique et social|Consejo Económico y Social"
              r"|Экономическ\w* и Социальн\w* Совет\w*|المجلس الاقتصادي والاجتماعي|经济及社会理事会|经社理事会",
    # "the Council recalled its resolution 53/29": read as the HRC when the text names the HRC too.
    "COUNCIL": r"\bCouncil\b|\bConseil\b|\bConsejo\b|\bConselho\b|\bRat\b|理事会",
}
_ORGAN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _ORGANS.items()))
_UN = re.compile(
    r"United Nations|\bUN\b|\bU\.N\.|Nations [Uu]nies|\bONU\b|Naciones Unidas|Nações Unidas|Nazioni Unite"
    r"|Vereinte\w* Nationen|\bUNO\b|\bООН\b|Организаци\w* Объединенных Наций|الأمم المتحدة|联合国|国連|유엔"
)
# "резолюция Генеральной Ассамблеи 78/265", "قرار الجمعية العامة 78/265": the organ between word and number.
_BETWEEN = (
    r"(?:\s+(?:of\s+the\s+|de\s+l['’]\s*|de\s+la\s+|del\s+|der\s+|des\s+|do\s+|da\s+)?"
    rf"(?:{'|'.join(_ORGANS.values())})(?:\s+(?:ООН|UN|ONU|للأمم المتحدة))?)?"
)
_NEWS = re.compile(rf"{_KEYWORD}{_BETWEEN}{_NUMBER_WORD}\s*(?P<list>{_num(False)}(?:{_SEP}{_num(False)})*)")
NEAR_BEFORE = 160  # characters before a news-form mention searched for the organ it belongs to
NEAR_AFTER = 80


@dataclass(frozen=True)
class Citation:
    """One mention: the official symbol, where it is in the text, and how it was written."""

    symbol: str
    start: int
    end: int
    form: str  # "official" or "news"

    @property
    def organ(self) -> str:
        return organ_of(self.symbol)


def find_citations(text: str) -> list[Citation]:
    """Every UN document symbol mentioned in ``text``, in order of appearance."""
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for match in _OFFICIAL.finditer(text):
        symbol = normalise(match.group("sym"), match.group("year"))
        if symbol is not None:
            found.append(Citation(symbol, match.start(), match.end(), "official"))
            taken.append((match.start(), match.end()))
    news = list(_NEWS.finditer(text)) if _may_have_news_form(text) else []
    if "第" in text:
        news += _CJK.finditer(text)
    if news:
        context = _Context(text)
        for match in news:
            finder = _CJK_NUM if match.re is _CJK else _ONE_NUM
            base = match.start("list")
            for number in finder.finditer(match.group("list")):
                start, end = base + number.start(), base + number.end()
                if any(s <= start < e for s, e in taken):
                    continue  # part of an official symbol already read
                symbol = context.resolve(number, match.start())
                if symbol is not None:
                    found.append(Citation(symbol, start, end, "news"))
    found.sort(key=lambda c: c.start)
    return found


# Substrings every news form contains: scanning for them is ~20x faster than the full pattern.
_NEWS_HINTS = ("esolu", "ésolu", "isoluz", "Res.", "res.", "езолюц", "قرار", "決議", "决议", "결의")


def _may_have_news_form(text: str) -> bool:
    return any(hint in text for hint in _NEWS_HINTS)


def article_citations(title: str | None, text: str) -> list[Citation]:
    """The citations in an article's title and text (positions count from the title's start)."""
    return find_citations(f"{title}\n{text}" if title else text)


def cited_symbols(text: str) -> list[str]:
    """The distinct symbols ``text`` cites, in order of first mention."""
    return list(dict.fromkeys(c.symbol for c in find_citations(text)))


def normalise(raw: str, year: str | None = None) -> str | None:
    """The official spelling of a symbol as printed (``a/res/78/265`` -> ``A/RES/78/265``), or None
    when it is not shaped like a UN symbol (``A/B``, ``S/2``)."""
    parts = re.split(_SLASH, raw)
    prefix, rest = parts[0].upper(), parts[1:]
    components = []
    for part in rest:
        word, _, number = part.partition(".")
        if number:
            word, number = word.strip(), number.strip()
            components.append(f"{TITLE_CASE.get(word.upper(), word.upper())}.{number}")
        else:
            components.append(TITLE_CASE.get(part.upper(), part.upper()))
    if not any(any(ch.isdigit() for ch in c) for c in components):
        return None
    if not components[-1][-1].isdigit() and components[-1] not in TITLE_CASE.values():
        return None
    if len(prefix) == 1 and len(components) < 2 and not re.fullmatch(r"(PV|PRST)\.\d+", components[0]):
        return None  # "A/4", "S/3": a bare single-letter series needs more to be a symbol
    if prefix in ("A", "S", "E") and components[0].isdigit() and len(components) >= 2:
        first = int(components[0])
        if not (1 <= first <= MAX_GA_SESSION or 1946 <= first <= 2100):
            return None
    symbol = "/".join([prefix, *components])
    if year:
        symbol += f"({year.strip()[1:-1]})"
    return symbol


def organ_of(symbol: str) -> str:
    """The issuing organ's short name: GA, SC, HRC, ECOSOC, or the series prefix (ST, UNEP...)."""
    if symbol.startswith("A/HRC/"):
        return "HRC"
    prefix = symbol.split("/", 1)[0]
    return {"A": "GA", "S": "SC", "E": "ECOSOC"}.get(prefix, prefix)


def kind_of(symbol: str) -> str:
    """What a symbol names, from its shape: resolution, draft, record, decision, statement or document."""
    parts = symbol.split("/")
    if "RES" in parts:
        return "resolution"
    if "DEC" in parts:
        return "decision"
    if any(p.startswith("L.") for p in parts):
        return "draft"
    if any(p.startswith("PV.") for p in parts):
        return "record"
    if "PRST" in parts:
        return "statement"
    return "document"


def official_url(symbol: str, lang: str = "en") -> str:
    """The link to the official copy, built from the symbol alone (the store need not hold it)."""
    lang = lang if lang in OFFICIAL_LANGUAGES else "en"
    return OFFICIAL_COPY.format(lang=lang, symbol=symbol.replace(" ", ""))


class _Context:
    """Reads a news-form number as a symbol of the organ the text names around it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._mentions: list[tuple[int, str]] | None = None
        self._mentions_un: bool | None = None

    @property
    def mentions(self) -> list[tuple[int, str]]:
        if self._mentions is None:
            self._mentions = [(m.start(), m.lastgroup) for m in _ORGAN.finditer(self.text)]
        return self._mentions

    def organ(self, at: int, allowed: tuple[str, ...]) -> str | None:
        """The organ named nearest before ``at`` (or just after it); else the only one the text names."""
        if "HRC" in allowed and any(name == "HRC" for _, name in self.mentions):
            allowed = (*allowed, "COUNCIL")
        candidates = [(position, "HRC" if name == "COUNCIL" else name)
                      for position, name in self.mentions if name in allowed]
        before = [(at - p, n) for p, n in candidates if at - NEAR_BEFORE <= p <= at]
        if before:
            return min(before)[1]
        after = [(p - at, n) for p, n in candidates if at < p <= at + NEAR_AFTER]
        if after:
            return min(after)[1]
        named = {name for _, name in candidates}
        if len(named) == 1 and self.mentions_un():
            return named.pop()
        return None

    def mentions_un(self) -> bool:
        if self._mentions_un is None:
            self._mentions_un = _UN.search(self.text) is not None
        return self._mentions_un

    def resolve(self, number: re.Match[str], at: int) -> str | None:
        session, resolution = number.group("ses"), number.group("res")
        if session is not None:
            return self._session_form(session, int(resolution), at)
        if number.group("sc") is not None:
            return f"S/RES/{int(number.group('sc'))}({number.group('scyear')})"
        # A bare number: a Security Council resolution only when the Council is named right before it.
        bare = int(number.group("bare"))
        if 1 <= bare <= 3999 and self._named_just_before(at, "SC"):
            return f"S/RES/{bare}"
        return None

    def _session_form(self, session: str, number: int, at: int) -> str | None:
        if number < 1 or number > MAX_RESOLUTION_NUMBER:
            return None
        if session.startswith("ES-"):
            return f"A/RES/{session}/{number}"
        if session.startswith("S-"):
            return f"A/HRC/RES/{session}/{number}" if self.organ(at, ("HRC",)) == "HRC" else None
        value = int(session)
        allowed = tuple(o for o, top in (("GA", MAX_GA_SESSION), ("HRC", MAX_HRC_SESSION)) if 1 <= value <= top)
        organ = self.organ(at, allowed) if allowed else None
        if organ == "GA":
            return f"A/RES/{value}/{number}"
        if organ == "HRC":
            return f"A/HRC/RES/{value}/{number}"
        return None

    def _named_just_before(self, at: int, organ: str) -> bool:
        return any(name == organ and at - 40 <= p <= at for p, name in self.mentions)
