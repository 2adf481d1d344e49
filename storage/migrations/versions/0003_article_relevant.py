"""article.relevant: the classifier's (or an analyst's) verdict, not only its score

The model's relevance threshold is tuned per model version, so "relevant" cannot be a fixed cut
on the score; queries and digests filter on this verdict instead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.add_column(sa.Column("relevant", sa.Boolean(), nullable=True))
        batch_op.create_index("ix_article_relevant", ["relevant"])
    op.execute("UPDATE article SET relevant = (relevance >= 0.5) WHERE relevance IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.drop_index("ix_article_relevant")
        batch_op.drop_column("relevant")
