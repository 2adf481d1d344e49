"""documents, their language versions, article->document citations, and unreadable documents

UN documents behind the news (issue 15): a document once per symbol with a version per language,
a citation link per article and cited symbol (the symbol need not be stored), and the document
files that could not be read with their reason.

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0007"  # 0007 landed first, though numbered after 0006
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("symbol", sa.String(120), nullable=False, unique=True),
        sa.Column("organ", sa.String(16), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("published", sa.DateTime, nullable=True),
        sa.Column("source", sa.String(200), nullable=True),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("updated", sa.DateTime, nullable=False),
    )
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("document.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("raw_ref", sa.String(64), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("fetched", sa.DateTime, nullable=False),
        sa.UniqueConstraint("document_id", "language"),
    )
    op.create_table(
        "citation",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("symbol", sa.String(120), primary_key=True, index=True),
        sa.Column("organ", sa.String(16), nullable=False),
        sa.Column("form", sa.String(16), nullable=False),
    )
    op.create_table(
        "document_failure",
        sa.Column("url", sa.String(2048), primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_failure")
    op.drop_table("citation")
    op.drop_table("document_version")
    op.drop_table("document")
