"""Refuse XML that declares entities or a DTD before any parser sees it (billion laughs, XXE)."""
from __future__ import annotations

import re

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring


_DECLARATION = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


class UnsafeXML(ValueError):
    pass


def check_xml_safe(body: bytes) -> None:
    """Raise UnsafeXML when the document uses a DTD, entity declarations or external references.

    Only a declaration starts these attacks, so a cheap scan of the whole body (not just its
    start: padding would push the DOCTYPE past any fixed window) skips the parse when there is none.
    """
    if not _DECLARATION.search(body):
        return
    try:
        fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as exc:
        raise UnsafeXML(f"unsafe XML refused ({type(exc).__name__})") from exc
    except Exception:  # noqa: BLE001 - a merely malformed document is the feed parser's to report
        return
