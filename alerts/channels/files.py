"""File channel: a dated Markdown and HTML digest in the subscription's folder."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from alerts.channels._write import write_atomic
from alerts.render import Digest, render_html, render_markdown
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError


class FileChannel:
    def __init__(self, sub: Subscription) -> None:
        self.sub = sub
        self.folder = Path(sub.path or ".")

    def check(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise DeliveryError(f"{self.folder} is not a folder", self.sub.name)

    def _base(self, digest: Digest) -> Path:
        """YYYY-MM-DD, then YYYY-MM-DD-2 ... for later digests on the same day."""
        day = f"{digest.generated:%Y-%m-%d}"
        base, n = self.folder / day, 1
        while base.with_suffix(".md").exists() or base.with_suffix(".html").exists():
            n += 1
            base = self.folder / f"{day}-{n}"
        return base

    def deliver(self, digest: Digest, session: Session) -> str:
        self.check()
        base = self._base(digest)
        md, html = base.with_suffix(".md"), base.with_suffix(".html")
        write_atomic(md, render_markdown(digest), self.sub.name)
        try:
            write_atomic(html, render_html(digest), self.sub.name)
        except DeliveryError:
            md.unlink(missing_ok=True)  # both or neither, so the retry writes a complete pair
            raise
        return f"wrote {md} and {html.name}"

    def preview(self, digest: Digest, session: Session) -> str:
        base = self._base(digest)
        return f"would write {base}.md and {base.name}.html:\n\n{render_markdown(digest)}"
