"""The publisher's time zone, guessed from what a page says about its locale.

Many CMSes write their metadata times in UTC ("2021-11-04T23:00:00Z") while the page shows the
local day (5 November in Berlin). When nothing on the page writes the time locally
(newsmon.pagedates), the zone comes from the page's locale: the region of ``<html lang>``,
``og:locale`` or ``Content-Language`` ("de-DE", "fr_CA"), else the country-code domain of its URL
(.de, .co.uk, .jp). Only countries with one dominant zone are guessed: a region or a domain of a
country with several (the US, Canada, Australia...) gives no zone, unless the page's language
pins it (French in Canada is Quebec's), and .com, .org and the like give none.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsmon.pagemeta import PageFacts

# ISO 3166 country (lower case) -> the IANA zone most of its people live in, for countries with one
# dominant zone; a country missing here (us, ca, au...) is not guessed.
COUNTRY_ZONES = {
    # Europe
    "al": "Europe/Tirane", "at": "Europe/Vienna", "ba": "Europe/Sarajevo", "be": "Europe/Brussels",
    "bg": "Europe/Sofia", "by": "Europe/Minsk", "ch": "Europe/Zurich", "cy": "Asia/Nicosia",
    "cz": "Europe/Prague", "de": "Europe/Berlin", "dk": "Europe/Copenhagen", "ee": "Europe/Tallinn",
    "es": "Europe/Madrid", "fi": "Europe/Helsinki", "fr": "Europe/Paris", "gb": "Europe/London",
    "gr": "Europe/Athens", "hr": "Europe/Zagreb", "hu": "Europe/Budapest", "ie": "Europe/Dublin",
    "is": "Atlantic/Reykjavik", "it": "Europe/Rome", "li": "Europe/Vaduz", "lt": "Europe/Vilnius",
    "lu": "Europe/Luxembourg", "lv": "Europe/Riga", "md": "Europe/Chisinau", "me": "Europe/Podgorica",
    "mk": "Europe/Skopje", "mt": "Europe/Malta", "nl": "Europe/Amsterdam", "no": "Europe/Oslo",
    "pl": "Europe/Warsaw", "pt": "Europe/Lisbon", "ro": "Europe/Bucharest", "rs": "Europe/Belgrade",
    "ru": "Europe/Moscow", "se": "Europe/Stockholm", "si": "Europe/Ljubljana", "sk": "Europe/Bratislava",
    "tr": "Europe/Istanbul", "ua": "Europe/Kyiv",
    # Asia
    "ae": "Asia/Dubai", "bd": "Asia/Dhaka", "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong",
    "id": "Asia/Jakarta", "il": "Asia/Jerusalem", "in": "Asia/Kolkata", "ir": "Asia/Tehran",
    "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "lk": "Asia/Colombo", "my": "Asia/Kuala_Lumpur",
    "np": "Asia/Kathmandu", "ph": "Asia/Manila", "pk": "Asia/Karachi", "qa": "Asia/Qatar",
    "sa": "Asia/Riyadh", "sg": "Asia/Singapore", "th": "Asia/Bangkok", "tw": "Asia/Taipei",
    "vn": "Asia/Ho_Chi_Minh",
    # Africa
    "dz": "Africa/Algiers", "eg": "Africa/Cairo", "gh": "Africa/Accra", "ke": "Africa/Nairobi",
    "ma": "Africa/Casablanca", "ng": "Africa/Lagos", "tn": "Africa/Tunis", "za": "Africa/Johannesburg",
    # Americas and Oceania
    "ar": "America/Argentina/Buenos_Aires", "bo": "America/La_Paz", "br": "America/Sao_Paulo",
    "cl": "America/Santiago", "co": "America/Bogota", "cr": "America/Costa_Rica", "cu": "America/Havana",
    "do": "America/Santo_Domingo", "ec": "America/Guayaquil", "gt": "America/Guatemala",
    "mx": "America/Mexico_City", "pa": "America/Panama", "pe": "America/Lima", "py": "America/Asuncion",
    "uy": "America/Montevideo", "ve": "America/Caracas", "nz": "Pacific/Auckland",
}
# (language, country) -> zone, where the language pins one zone of a country that has several
LANGUAGE_ZONES = {("fr", "ca"): "America/Toronto"}
# Country-code domains that differ from the country's code, and those mostly used as generic ones
_DOMAIN_COUNTRIES = {"uk": "gb"}
_GENERIC_DOMAINS = frozenset({"eu", "co", "me", "tv", "io", "ai", "fm", "ly", "cc", "ws", "to", "la", "nu"})
# Facebook locales that name no country ("ar_AR" is Arabic, not Argentina)
_PSEUDO_LOCALES = frozenset({("ar", "ar"), ("es", "la")})
# A world language's home region, often a template's default on sites of other countries
_TEMPLATE_DEFAULTS = frozenset({("en", "gb"), ("es", "es"), ("fr", "fr"), ("pt", "pt")})
_LOCALE = re.compile(r"^\s*([a-z]{2,3})(?:[-_][a-z]{4})?(?:[-_]([a-z]{2}|\d{3}))?(?![a-z\d])", re.IGNORECASE)


def in_publisher_zone(instant: datetime, tree, facts: PageFacts, url: str | None) -> datetime:
    """``instant`` (aware) in the offset its publisher's zone had then, when the page's locale names
    one zone (see :func:`publisher_offset`); unchanged otherwise. The instant stays the same.
    A UTC midnight is a day written alone, not a time: it is left as it is."""
    if instant.time() == time(0):
        return instant
    offset = publisher_offset(instant, tree, facts, url)
    return instant if offset is None else instant.astimezone(timezone(offset))


def publisher_offset(instant: datetime, tree, facts: PageFacts, url: str | None) -> timedelta | None:
    """The UTC offset at ``instant`` of the zone the page's locale region and its URL's country-code
    domain name; None when they name none, or two that differ then.

    A region of a country with several zones (en-US) or one that contradicts the domain (es-ES on
    a .ar site, en-GB on a .com.au one) names none, and neither does a world language's home region
    on a generic domain (es-ES, fr-FR, en-GB on a .com: many sites elsewhere keep their template's
    default). de-DE on a .at site is fine: Berlin and Vienna keep the same time.
    """
    language, region = _locale(tree, facts)
    country = _domain_country(url)
    if region and not country and (language, region) in _TEMPLATE_DEFAULTS:
        return None
    offsets = {_offset_in(language, place, instant) for place in (region, country) if place}
    return offsets.pop() if len(offsets) == 1 else None


def _locale(tree, facts: PageFacts) -> tuple[str, str | None]:
    """The page's language and the first country its locale hints name (``<html lang>``, og:locale...)."""
    language = ""
    for text in (tree.get("lang"), tree.get("xml:lang"),
                 *facts.meta.get("og:locale", ()), *facts.meta.get("content-language", ())):
        m = _LOCALE.match(text or "")
        if not m:
            continue
        language = language or m.group(1).lower()
        hint = (m.group(1).lower(), (m.group(2) or "").lower())
        if hint[1] and hint not in _PSEUDO_LOCALES:
            return hint
    return language, None


def _offset_in(language: str, country: str, instant: datetime) -> timedelta | None:
    name = LANGUAGE_ZONES.get((language, country)) or COUNTRY_ZONES.get(country)
    if name is None:
        return None
    try:
        return instant.astimezone(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):  # a system without this zone's data
        return None


def _domain_country(url: str | None) -> str | None:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return None
    label = host.rstrip(".").rpartition(".")[2]
    if len(label) != 2 or not label.isalpha() or label in _GENERIC_DOMAINS:
        return None  # .com, .org, an IP address, or a country code used as a generic domain
    return _DOMAIN_COUNTRIES.get(label, label)
