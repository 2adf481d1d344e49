"""PDF text extraction throughput (pages/s on one core) of newsmon.documents, by pypdf.

    .venv/bin/python bench/pdf_text.py [--pages 20] [--files 30]

The PDFs are built in memory by the demo's writer (newsmon.demo.official.text_pdf): the demo
draft resolution's paragraphs repeated to full A4 pages of 48 lines (about 4,000 characters a
page, Helvetica, Flate-compressed content streams), so the numbers are for text-layer PDFs of
the size UN documents have; scanned or font-heavy files read slower.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsmon.demo.official import load_documents, text_pdf  # noqa: E402
from newsmon.documents import read_document  # noqa: E402


def build(pages: int, copies: int) -> list[bytes]:
    document = next(d for d in load_documents() if d.format == "pdf")
    lines = [*document.header, "", document.title, ""]
    while len(lines) < pages * 48:
        lines += document.body
    return [text_pdf(lines[: pages * 20], f"{document.title} {n}", document.date)  # ~20 paragraphs wrap to a page
            for n in range(copies)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20, help="pages per PDF")
    parser.add_argument("--files", type=int, default=30)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    files = build(args.pages, args.files)
    read_document(files[0], "http://bench/doc-en.pdf", "application/pdf")  # warm up imports
    started = time.process_time()
    pages = chars = 0
    for body in files:
        document = read_document(body, "http://bench/doc-en.pdf", "application/pdf")
        pages += document.pages
        chars += len(document.text)
    seconds = time.process_time() - started
    print(f"{len(files)} PDFs, {pages} pages, {chars / pages:,.0f} characters a page, "
          f"{sum(map(len, files)) / len(files) / 1024:,.0f} KiB a file")
    print(f"PDF text extraction: {pages / seconds:,.0f} pages/s, {len(files) / seconds:,.1f} files/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
