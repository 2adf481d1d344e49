"""article.extracted_title: the title as read from the page alone, when the stored title is shorter

``title`` loses the furniture that the source repeats across its pages ("- Section | Outlet",
newsmon.sourcefurniture); what was cut is only seen by comparing the source's titles as the
pages gave them, so those are kept for the source's next pages (NULL: the same as ``title``).
Existing rows: NULL, their titles were stored as read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (see 0008): a batch copy would lose the article table's triggers on SQLite.
    op.add_column("article", sa.Column("extracted_title", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("article", "extracted_title")
