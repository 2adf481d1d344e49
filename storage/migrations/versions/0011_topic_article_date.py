"""article_topic.article_date and story_id: each tag carries its article's date and story; article.relevant indexed with source

The chart and the facet counts read a topic's newest matches. Without the date beside the tag,
both databases walked every article newest first and probed its tags (33,000 probes for the
newest 2,000 "un-governance" articles at a million, 160 ms on PostgreSQL); with it, the walk is
the 2,000 newest entries of ix_article_topic_label_date. With the story beside it too, "how many
stories have a copy on this topic" is counted in that index alone (40 ms -> a few at a million).
The copies are kept by triggers (a tag gets its article's date and story when inserted; a
changed article date or story moves to its tags), so no write path in Python can forget them.
Existing tags are filled here.

The index on article.relevant becomes one on (source, relevant): true for about 40% of articles,
alone it selects nothing an index should, and PostgreSQL ANDed its 400,000-row bitmap into
"source X, relevant" (60 ms at a million); the pair counts that filter in the index (1.6 ms).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ARTICLE_DATE = "coalesce(published, first_seen)"  # storage.queries.article_date(), in SQL
_SQLITE = [
    f"""CREATE TRIGGER article_topic_date_ai AFTER INSERT ON article_topic BEGIN
        UPDATE article_topic SET (article_date, story_id) =
            (SELECT {ARTICLE_DATE}, story_id FROM article WHERE id = new.article_id)
        WHERE article_id = new.article_id AND label = new.label; END""",
    """CREATE TRIGGER article_date_au AFTER UPDATE OF published, first_seen, story_id ON article
        WHEN old.published IS NOT new.published OR old.first_seen IS NOT new.first_seen
            OR old.story_id IS NOT new.story_id BEGIN
        UPDATE article_topic SET article_date = coalesce(new.published, new.first_seen), story_id = new.story_id
        WHERE article_id = new.id; END""",
]
_POSTGRESQL = [
    f"""CREATE FUNCTION newsmon_tag_article_date() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        SELECT {ARTICLE_DATE}, story_id INTO NEW.article_date, NEW.story_id FROM article WHERE id = NEW.article_id;
        RETURN NEW; END $$""",
    """CREATE TRIGGER article_topic_date_bi BEFORE INSERT ON article_topic
        FOR EACH ROW EXECUTE FUNCTION newsmon_tag_article_date()""",
    """CREATE FUNCTION newsmon_article_date_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        UPDATE article_topic SET article_date = coalesce(NEW.published, NEW.first_seen), story_id = NEW.story_id
        WHERE article_id = NEW.id;
        RETURN NULL; END $$""",
    """CREATE TRIGGER article_date_au AFTER UPDATE OF published, first_seen, story_id ON article FOR EACH ROW
        WHEN (OLD.published IS DISTINCT FROM NEW.published OR OLD.first_seen IS DISTINCT FROM NEW.first_seen
              OR OLD.story_id IS DISTINCT FROM NEW.story_id)
        EXECUTE FUNCTION newsmon_article_date_moved()""",
]


def upgrade() -> None:
    op.drop_index("ix_article_relevant", table_name="article")
    op.create_index("ix_article_source_relevant", "article", ["source", "relevant"])
    # Plain ALTER TABLE (see 0008): a batch copy would lose the article table's triggers on SQLite.
    op.add_column("article_topic", sa.Column("article_date", sa.DateTime(), nullable=True))
    op.add_column("article_topic", sa.Column("story_id", sa.Integer(), nullable=True))
    op.execute(f"UPDATE article_topic SET (article_date, story_id) = (SELECT {ARTICLE_DATE}, story_id FROM article "
               "WHERE article.id = article_topic.article_id)")
    op.create_index("ix_article_topic_label_date", "article_topic",
                    ["label", "article_date", "article_id", "confidence", "story_id"])
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS article_topic_date_ai")
        op.execute("DROP TRIGGER IF EXISTS article_date_au")
    else:
        op.execute("DROP TRIGGER IF EXISTS article_topic_date_bi ON article_topic")
        op.execute("DROP TRIGGER IF EXISTS article_date_au ON article")
        op.execute("DROP FUNCTION IF EXISTS newsmon_tag_article_date()")
        op.execute("DROP FUNCTION IF EXISTS newsmon_article_date_moved()")
    op.drop_index("ix_article_topic_label_date", table_name="article_topic")
    op.drop_column("article_topic", "story_id")
    op.drop_column("article_topic", "article_date")
    op.drop_index("ix_article_source_relevant", table_name="article")
    op.create_index("ix_article_relevant", "article", ["relevant"])
