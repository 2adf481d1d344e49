"""search at a million articles: Chinese and Japanese in the full-text index, stories by their newest copy

The full-text index is rebuilt over text in which CJK runs are spelt as overlapping character
pairs (storage/fulltext.py), so `芯片` finds an article that contains it on SQLite and PostgreSQL
(there as a stored tsvector column, article.fts, with a GIN index). An index on
(label, confidence, article_id) lets counts start from a topic's tags.
An index on (story_id, first_seen, id) answers "is this the newest copy of its story" with one
seek, which lets one-row-per-story pages walk stories newest first instead of grouping every match.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05
"""
from alembic import op

from storage.fulltext import create_cjk_fulltext, create_fulltext, drop_cjk_fulltext, drop_fulltext

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_fulltext(op.get_bind())
    create_cjk_fulltext(op.get_bind())
    op.create_index("ix_article_story_newest", "article", ["story_id", "first_seen", "id"])
    op.create_index("ix_article_topic_label_confidence", "article_topic", ["label", "confidence", "article_id"])


def downgrade() -> None:
    op.drop_index("ix_article_topic_label_confidence", table_name="article_topic")
    op.drop_index("ix_article_story_newest", table_name="article")
    drop_cjk_fulltext(op.get_bind())
    create_fulltext(op.get_bind())
