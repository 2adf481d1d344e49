"""`newsmon reextract`: rebuild stored text from the kept raw pages, after an extractor upgrade."""
from __future__ import annotations

import click

from newsmon.options import DATE, db_option, raw_dir_option


@click.command()
@db_option
@raw_dir_option
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--since", type=DATE, help="Only articles first seen on or after this date.")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
def reextract(db_url: str, raw_dir: str, sources: tuple[str, ...], since, dry_run: bool) -> None:
    """Re-extract stored articles from their raw pages, without crawling again.

    A changed text is kept as a new revision of the same article; nothing is fetched. Titles
    lose the furniture their source repeats (compared with the source's latest stored titles and
    the ones read before them in this run); an unchanged text gets its new title and dates in place.
    """
    from sqlalchemy import select

    from newsmon.errors import ExtractionError
    from newsmon.extraction import decode_page, extract_article
    from newsmon.sourcefurniture import RECENT_TITLES, RecentTitles
    from storage.articles import ArticleRecord, has_new_dates, recent_titles, redate, retitle, upsert_articles
    from storage.db import open_for_command
    from storage.models import Article
    from storage.rawstore import RawStore

    store = RawStore(raw_dir)
    counts = {"changed": 0, "redated": 0, "retitled": 0, "unchanged": 0, "missing-raw": 0, "failed": 0}
    siblings = RecentTitles()
    factory = open_for_command(db_url)
    with factory() as session:
        query = select(Article).where(Article.raw_ref.is_not(None)).order_by(Article.id)
        if sources:
            query = query.where(Article.source.in_(sources))
        if since:
            query = query.where(Article.first_seen >= since)
        articles = list(session.scalars(query))
    for article in articles:
        if article.raw_ref not in store:
            counts["missing-raw"] += 1
            continue
        try:
            extracted = extract_article(decode_page(store.get(article.raw_ref), article.encoding),
                                        article.fetched_url)
        except ExtractionError as exc:
            counts["failed"] += 1
            click.echo(f"article {article.id}: {exc.reason} ({article.url}); kept the stored text", err=True)
            continue
        if article.source not in siblings:  # one query per source
            with factory() as session:
                siblings.load(article.source, recent_titles(session, article.source, RECENT_TITLES))
        title_read = extracted.title
        title = siblings.strip(article.source, title_read) or article.title
        extracted_title = title_read or article.extracted_title
        if extracted.text == article.text:
            # same text, maybe a new title or new dates: set in place, in one transaction
            redated = has_new_dates(article, extracted.published, extracted.modified)
            with factory() as session:
                retitled = retitle(session, article.id, title, extracted_title)
                if redated:
                    redate(session, article.id, extracted.published, extracted.modified)
                if not dry_run:
                    session.commit()
            counts["retitled"] += retitled
            counts["redated"] += redated
            counts["unchanged"] += not (redated or retitled)
            continue
        counts["changed"] += 1
        if dry_run:
            continue
        with factory() as session, session.begin():
            upsert_articles(session, [ArticleRecord(
                url=article.url, fetched_url=article.fetched_url, source=article.source, text=extracted.text,
                title=title, extracted_title=extracted_title,
                published=extracted.published, modified=extracted.modified,  # None keeps the stored date
                author=extracted.author or article.author, language=extracted.language or article.language,
                site=extracted.site or article.site, raw_ref=article.raw_ref, encoding=article.encoding,
                fetched=article.updated,
            )])
    verb = "would change" if dry_run else "changed"
    got = "would get" if dry_run else "got"
    titles = f", {counts['retitled']} {got} new titles" if counts["retitled"] else ""
    dates = f", {counts['redated']} {got} new dates" if counts["redated"] else ""
    click.echo(f"{len(articles)} articles: {counts['changed']} {verb}, {counts['unchanged']} unchanged{titles}{dates}, "
               f"{counts['failed']} failed, {counts['missing-raw']} without raw page")
