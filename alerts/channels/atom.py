"""Atom channel: the subscription's latest N stories as a feed file, rewritten on each digest."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from alerts.channels._write import write_atomic
from alerts.ledger import delivered_stories
from alerts.render import Digest, render_atom
from alerts.subscriptions import Subscription
from newsmon.errors import DeliveryError


class AtomChannel:
    def __init__(self, sub: Subscription) -> None:
        self.sub = sub
        self.path = Path(sub.path or "feed.atom")

    def check(self) -> None:
        if self.path.is_dir():
            raise DeliveryError(f"{self.path} is a folder; atom needs the feed file's path", self.sub.name)

    def deliver(self, digest: Digest, session: Session) -> str:
        """The ledger rows of this digest are already flushed, so the feed includes them."""
        self.check()
        stories = delivered_stories(session, self.sub, self.sub.entries)
        write_atomic(self.path, render_atom(self.sub, stories, digest.generated), self.sub.name)
        return f"wrote {self.path} ({len(stories)} entries, {len(digest.stories)} new)"

    def preview(self, digest: Digest, session: Session) -> str:
        stories = (digest.stories + delivered_stories(session, self.sub, self.sub.entries))[: self.sub.entries]
        return f"would write {self.path} with {len(stories)} entries:\n\n{render_atom(self.sub, stories, digest.generated)}"
