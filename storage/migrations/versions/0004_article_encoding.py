"""article.encoding: the encoding the crawl decoded the raw page with

`newsmon reextract` must decode the kept raw bytes the same way, or a cp1252 page comes back
as mojibake and is saved as a new revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.add_column(sa.Column("encoding", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.drop_column("encoding")
