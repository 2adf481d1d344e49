"""`newsmon story ID`: one story's copies across outlets, with each page's earlier versions."""
from __future__ import annotations

import click

from newsmon.clean import terminal_safe
from newsmon.clock import shown
from newsmon.options import db_option


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@click.command()
@db_option
@click.argument("story_id", type=int)
def story(db_url: str, story_id: int) -> None:
    """Show story STORY_ID: its articles (source, date, title, URL) and their revisions."""
    from storage.db import open_for_command

    factory = open_for_command(db_url)
    try:
        _show(factory, story_id)
    finally:
        factory.kw["bind"].dispose()


def _show(factory, story_id: int) -> None:
    from newsmon.citations import official_url
    from storage.documents import citations_of
    from storage.stories import get_story, story_articles

    with factory() as session:
        found = get_story(session, story_id)
        if found is None:
            raise click.ClickException(
                f"there is no story {story_id}; `newsmon query --group-by story` lists the stories"
            )
        articles = story_articles(session, story_id)
        cites = citations_of(session, [a.id for a in articles])
        outlets = {a.source for a in articles}
        click.echo(
            f"Story {story_id}: {len(articles)} article{'s' if len(articles) != 1 else ''} "
            f"from {len(outlets)} outlet{'s' if len(outlets) != 1 else ''}, "
            f"first seen {_when(found.first_seen)}, last seen {_when(found.last_seen)}"
        )
        for article in articles:
            click.echo("")
            click.echo(f"  #{article.id} {terminal_safe(article.source)}  {shown(article.shown_date)}")
            click.echo(f"    {terminal_safe(article.title) or '(no title)'}")
            click.echo(f"    {terminal_safe(article.url)}")
            for symbol in cites.get(article.id, []):
                click.echo(f"    cites {terminal_safe(symbol)}  {terminal_safe(official_url(symbol))}")
            for revision in article.revisions:
                click.echo(
                    f"    earlier version fetched {_when(revision.fetched)}: "
                    f"{terminal_safe(revision.title) or '(no title)'} [{len(revision.text)} chars, {revision.content_hash[:12]}]"
                )
