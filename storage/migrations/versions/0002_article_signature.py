"""article signatures for the story index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

One MinHash signature per article (newsmon.dedup.Signature bytes), read at start to rebuild the
in-memory LSH index that assigns new articles to stories.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('article_signature',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )


def downgrade() -> None:
    op.drop_table('article_signature')
