"""`newsmon crawl`: crawl the sources file into the database."""
from __future__ import annotations

import sys

import click

from newsmon.options import db_option, raw_dir_option, setting_option, sources_option, verbose_option
from newsmon.settings import REDIS_URL


@click.command()
@sources_option
@db_option
@raw_dir_option
@click.option("--source", "only_source", help="Crawl only the source with this name.")
@click.option("--spider", default="news", show_default=True,
              type=click.Choice(["news", "feeds", "sitemaps", "listings", "documents"]),
              help="Which kinds of source to crawl (news: all of them, official documents included).")
@setting_option(REDIS_URL, "--redis", "redis_url",
                help="Share one frontier in Redis with other workers, e.g. redis://host:6379/0.")
@click.option("--frontier", help="Name of the shared frontier (default: nightly-<today>); workers with the same name cooperate.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@verbose_option
def crawl(sources_path: str, db_url: str, raw_dir: str, only_source: str | None, spider: str,
          redis_url: str | None, frontier: str | None, overrides: tuple[str, ...]) -> None:
    """Crawl the sources in a sources file and store their articles.

    Exits 1 when the sources file has no usable source, --source names none of them, the crawl
    did not finish, or not one source answered; a bad entry among good ones is skipped and counted.

    With --redis, start the same command on several machines: they share one frontier, so each
    article page is fetched once, and they write to the same --db (use PostgreSQL then).
    """
    from newsmon.crawling import checked_sources, crawl_settings, resolve_sources, run_crawl
    from newsmon.errors import ConfigError
    from newsmon.frontier import default_frontier_name, frontier_settings

    sources = resolve_sources(sources_path)
    if not sources.exists():
        raise click.ClickException(f"sources file not found: {sources}")
    try:
        checked_sources(sources, only_source)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    extra: dict[str, object] = {}
    if redis_url:
        extra = frontier_settings(redis_url, frontier or default_frontier_name())
    settings = crawl_settings(sources, db_url, raw_dir, {**extra, **_parse_overrides(overrides)})
    summary = run_crawl(settings, spider, **({"source": only_source} if only_source else {}))
    click.echo(summary.line())
    if not summary.ok:
        sys.exit(1)


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        result[name.strip()] = value
    return result
