"""`newsmon review`: the stored articles whose correction would teach the model most.

The ranking lives in storage.review (the web workbench uses it too); this module only prints it,
with the exact `newsmon label` command for each correction.
"""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from newsmon.clean import terminal_safe
from newsmon.clock import shown
from newsmon.commands.classify import model_option, user_errors
from newsmon.options import db_option
from storage.db import DEFAULT_DB_URL


@click.command()
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many articles to show.")
@click.option("--pool", type=click.IntRange(1, 100_000), default=2000, show_default=True,
              help="How many of the most recent uncorrected articles to consider.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
@model_option
def review(limit: int, pool: int, fmt: str, db_url: str, model_path: Path | None) -> None:
    """Articles where an analyst's verdict would teach the model most, with the command to correct each.

    Ranked by tags and relevance near their thresholds, relevance and topics that disagree, and
    languages with few training records; articles already corrected are left out.
    """
    from newsmon.commands.classify import _model
    from storage.db import mask_url, open_for_command
    from storage.review import ReviewPolicy, review_queue

    with user_errors():
        policy = ReviewPolicy.from_model(_model(model_path))
        factory = open_for_command(db_url)
        try:
            with factory() as session:
                items = review_queue(session, policy, limit=limit, pool=pool)
        finally:
            factory.kw["bind"].dispose()
    db_args = [] if db_url == DEFAULT_DB_URL else ["--db", mask_url(db_url)]
    if fmt == "json":
        click.echo(json.dumps([item_json(item, db_args) for item in items], ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo("Nothing to review: no tagged, uncorrected articles (tag them with `newsmon retag`).")
        return
    for n, item in enumerate(items):
        if n:
            click.echo("")
        click.echo("\n".join(item_lines(item, db_args)))


def label_command(article_id: int, suggestion, db_args: list[str]) -> str:
    """The exact `newsmon label` command line that records ``suggestion``, shell-quoted."""
    args = ["newsmon", "label", str(article_id)]
    for label in suggestion.add:
        args += ["--add", label]
    for label in suggestion.remove:
        args += ["--remove", label]
    if suggestion.irrelevant:
        args.append("--irrelevant")
    return shlex.join(args + db_args)


def item_json(item, db_args: list[str]) -> dict:
    return {
        "id": item.article_id,
        "title": item.title,
        "source": item.source,
        "language": item.language,
        "date": item.shown_date.isoformat(),
        "url": item.url,
        "story_id": item.story_id,
        "relevance": item.relevance,
        "relevant": item.relevant,
        "relevance_threshold": item.relevance_threshold,
        "tags": [{"label": t.label, "confidence": round(t.confidence, 3), "threshold": t.threshold, "origin": t.origin}
                 for t in item.tags],
        "score": item.score,
        "reasons": list(item.reasons),
        "corrections": [{"why": s.why, "command": label_command(item.article_id, s, db_args)} for s in item.suggestions],
    }


def item_lines(item, db_args: list[str]) -> list[str]:
    relevance = "-" if item.relevance is None else f"{item.relevance:.2f}"
    verdict = "relevant" if item.relevant else "not relevant"
    tags = ", ".join(_tag(t) for t in item.tags) or "no topic"
    lines = [
        f"#{item.article_id}  score {item.score:.2f}  {terminal_safe(item.source)}  {terminal_safe(item.language or '?')}  "
        f"{shown(item.shown_date)}",
        f"  {terminal_safe(item.title or '(no title)')}",
        f"  relevance {relevance} ({verdict}, threshold {item.relevance_threshold:.2f}); tags: {tags}",
        f"  why: {'; '.join(item.reasons) or 'least certain of the rest'}",
    ]
    commands = [(label_command(item.article_id, s, db_args), s.why) for s in item.suggestions]
    width = max((len(c) for c, _ in commands), default=0)
    lines += [f"  {command:<{width}}  # {why}" for command, why in commands]
    return lines


def _tag(tag) -> str:
    if tag.origin == "near-miss":
        return f"({tag.label} {tag.confidence:.2f} < {tag.threshold:.2f})"
    suffix = " analyst" if tag.origin == "analyst" else ""
    return f"{tag.label} {tag.confidence:.2f}{suffix}"
