"""The demo site's UN documents: written for the project, one TOML file per language version under
``documents/``, served as PDF or HTML with an index page, plus two files a documents crawl must
survive (a scan without a text layer and an encrypted PDF).

PDFs are built here with the standard Helvetica font (WinAnsi encoding covers French), so no
binary is committed and every test gets the same bytes.
"""
from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from importlib import resources
from textwrap import wrap

DOCUMENTS_PATH = "/documents/"
SCAN_PATH = "/documents/A_81_L.3-scan.pdf"  # no text layer: recorded as no-text-layer
ENCRYPTED_PATH = "/documents/A_81_L.5-en.pdf"  # encrypted: recorded as encrypted


@dataclass(frozen=True)
class DemoDocument:
    symbol: str
    lang: str
    format: str  # pdf | html
    file: str
    date: date
    title: str
    header: tuple[str, ...]
    body: tuple[str, ...]

    @property
    def path(self) -> str:
        return DOCUMENTS_PATH + self.file


@lru_cache(maxsize=1)
def load_documents() -> tuple[DemoDocument, ...]:
    folder = resources.files("newsmon.demo").joinpath("documents")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            found.append(DemoDocument(
                symbol=data["symbol"], lang=data["lang"], format=data["format"], file=data["file"],
                date=data["date"], title=data["title"], header=tuple(data["header"]), body=tuple(data["body"]),
            ))
    return tuple(found)


def document_files() -> dict[str, tuple[bytes, str]]:
    """path -> (body, content type) for every document file and the index page."""
    files: dict[str, tuple[bytes, str]] = {}
    for document in load_documents():
        if document.format == "pdf":
            files[document.path] = (text_pdf([*document.header, "", document.title, "", *document.body],
                                             document.title, document.date), "application/pdf")
        else:
            files[document.path] = (document_html(document).encode("utf-8"), "text/html; charset=utf-8")
    files[SCAN_PATH] = (text_pdf([], "Scanned draft", date(2026, 10, 20), scanned=True), "application/pdf")
    files[ENCRYPTED_PATH] = (encrypted_pdf(), "application/pdf")
    files[DOCUMENTS_PATH] = (index_html(list(files)).encode("utf-8"), "text/html; charset=utf-8")
    return files


def index_html(paths: list[str]) -> str:
    links = "\n".join(f'<li><a href="{escape(p)}">{escape(p.rsplit("/", 1)[-1])}</a></li>' for p in sorted(paths))
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Documents</title></head>"
            f"<body><h1>UN documents cited in our coverage</h1><ul>\n{links}\n</ul></body></html>\n")


def document_html(document: DemoDocument) -> str:
    header = "".join(f"<p class=\"symbol-block\">{escape(line)}</p>" for line in document.header)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in document.body)
    return (f"<!doctype html>\n<html lang=\"{document.lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(document.title)}</title>"
            f"<meta name=\"date\" content=\"{document.date.isoformat()}\"></head>"
            f"<body><main><article><header>{header}</header><h1>{escape(document.title)}</h1>\n{body}\n"
            f"</article></main></body></html>\n")


def text_pdf(lines: list[str], title: str, created: date, scanned: bool = False) -> bytes:
    """A well-formed PDF with ``lines`` wrapped on A4 pages; ``scanned`` draws boxes instead of text."""
    wrapped = [piece for line in lines for piece in (wrap(line, 88) or [""])]
    pages = [wrapped[i:i + 48] for i in range(0, len(wrapped), 48)] or [[]]
    streams = []
    for page in pages:
        if scanned:
            streams.append(b"0.9 g 72 600 450 150 re f 0.5 g 72 420 450 150 re f")
            continue
        text = b"BT /F1 10 Tf 14 TL 60 780 Td " + b" ".join(b"(" + _pdf_string(line) + b") '" for line in page) + b" ET"
        streams.append(text)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages))).encode()
    font = 3 + 2 * len(pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))]
    for i, stream in enumerate(streams):
        packed = zlib.compress(stream)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font))
        objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Title (" + _pdf_string(title) + b") /CreationDate (D:" + created.strftime("%Y%m%d").encode()
                   + b"090000Z) /Producer (newsmon demo) >>")
    return assemble_pdf(objects, extra_trailer=b"/Info %d 0 R" % len(objects))


def encrypted_pdf() -> bytes:
    """A PDF whose trailer names an encryption dictionary: readers need a password to open it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <" + b"00" * 32 + b"> /U <" + b"00" * 32 + b"> >>",
    ]
    return assemble_pdf(objects, extra_trailer=b"/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> "
                                            b"<00112233445566778899aabbccddeeff>]")


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def assemble_pdf(objects: list[bytes], extra_trailer: bytes = b"") -> bytes:
    """A PDF file of numbered ``objects`` (the first is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, extra_trailer, xref)
    return bytes(out)
