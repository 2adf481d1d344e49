"""Refuse XML that declares entities or a DTD before any parser sees it (billion laughs, XXE)."""
from __future__ import annotations

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring


class UnsafeXML(ValueError):
    pass


def check_xml_safe(body: bytes) -> None:
    """Raise UnsafeXML when the document uses a DTD, entity declarations or external references.

    Only the prolog matters for these attacks, so a cheap test skips the full parse when the
    body declares none.
    """
    head = body[:4096].lower()
    if b"<!doctype" not in head and b"<!entity" not in head:
        return
    try:
        fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise UnsafeXML(f"unsafe XML refused ({type(exc).__name__})") from exc
    except Exception:  # noqa: BLE001 - a merely malformed document is the feed parser's to report
        return
