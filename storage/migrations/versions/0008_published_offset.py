"""article dates keep the page's UTC offset, and the page's last-modified time apart from published

``published`` stays naive UTC, so the date indexes of 0007 on coalesce(published, first_seen) keep
sorting true instants; ``published_offset`` holds the offset the page gave, in minutes (NULL: the
page named no zone), so the time prints as the page showed it. ``modified`` (naive UTC) and
``modified_offset`` do the same for the page's last-modified time.

Existing rows: ``published`` stays exactly as stored and its offset is NULL. What is stored came
either from trafilatura's date (a day without time or zone, kept as midnight) or from a feed or
sitemap date already converted to UTC; the rows do not say which, so neither the offset nor a
shifted time can be recovered from them, and inventing "+00:00" would claim a zone the page never
gave. NULL prints them as before (no offset). `newsmon reextract` reads the dates again from the
archived raw pages. Downgrade drops the new columns; ``published`` (UTC) is unchanged by both.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

NEW_COLUMNS = ("published_offset", "modified", "modified_offset")


def upgrade() -> None:
    # Plain ALTER TABLE on both backends (SQLite >= 3.35 drops columns too): a batch copy of the
    # article table would lose its expression indexes (0007) and full-text triggers on SQLite.
    op.add_column("article", sa.Column("published_offset", sa.SmallInteger(), nullable=True))
    op.add_column("article", sa.Column("modified", sa.DateTime(), nullable=True))
    op.add_column("article", sa.Column("modified_offset", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    for name in reversed(NEW_COLUMNS):
        op.drop_column("article", name)
