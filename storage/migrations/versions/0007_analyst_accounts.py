"""analyst accounts for the web workbench, and who made each correction

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0004"  # the lead re-chains this after the other branches' migrations
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyst",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("correction") as batch_op:
        batch_op.add_column(sa.Column("analyst", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("correction") as batch_op:
        batch_op.drop_column("analyst")
    op.drop_table("analyst")
