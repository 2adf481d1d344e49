"""`newsmon tag | label | train | retag | evaluate`: the topic classifier from the command line."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click

from newsmon.commands.train_report import print_training_report, print_scores
from newsmon.errors import NewsmonError
from newsmon.options import DATE, db_option, setting_option
from newsmon.settings import HOME, MODEL

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "realnews-train.jsonl"
RETAG_BATCH = 500

model_option = setting_option(
    MODEL, "--model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Model file to use, e.g. one `newsmon train` saved (default: the model that ships with newsmon).",
)
MODEL_FILE = "newsmon-model.joblib"


def default_model_output() -> Path:
    """Where `train` saves by default: the user's place, never the packaged model."""
    return Path(HOME.value()) / "models" / MODEL_FILE
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@contextmanager
def user_errors():
    """Project errors become click errors: one line a person can act on, no traceback."""
    try:
        yield
    except NewsmonError as exc:
        raise click.ClickException(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"the input is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                                   f"at offset {exc.start}); convert it, e.g. with iconv -t utf-8") from None


def _model(path: Path | None):
    from classifier import load_default_model

    model = load_default_model(path)
    if model is None:
        raise click.ClickException(f"no classifier model at {path or 'classifier/models/default.joblib'}; build one with `newsmon train`")
    return model


@click.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--title", help="Headline of the article, if not in the text.")
@click.option("--top", type=click.IntRange(1, 20), default=5, show_default=True, help="Evidence words per tag.")
@model_option
@format_option
def tag(source, title: str | None, top: int, model_path: Path | None, fmt: str) -> None:
    """Tag one article read from FILE (or stdin): relevance, topics with confidence, evidence."""
    with user_errors():
        text = source.read()
    if not text.strip():
        raise click.ClickException("no text to tag (the input is empty)")
    with user_errors():
        model = _model(model_path)
        tags = model.predict([(title, text)])[0]
        evidence = model.explain(title, text, top=top)
    result = {
        "model_version": model.version,
        "relevance": tags.relevance,
        "relevant": tags.relevant,
        "topics": {label: {"confidence": conf, "evidence": evidence.get(label, [])} for label, conf in tags.topics.items()},
        "relevance_evidence": evidence.get(model.relevance_label, []),
    }
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    verdict = "relevant" if tags.relevant else "not relevant"
    click.echo(f"relevance  {tags.relevance:.2f}  {verdict}   (model {model.version})")
    if result["relevance_evidence"]:
        click.echo(f"  evidence: {_words(result['relevance_evidence'])}")
    if tags.relevant and not tags.topics:
        click.echo("no topic above its threshold")
    for label, info in sorted(result["topics"].items(), key=lambda kv: -kv[1]["confidence"]):
        click.echo(f"{label:<24} {info['confidence']:.2f}")
        click.echo(f"  evidence: {_words(info['evidence'])}")


def _words(pairs) -> str:
    return ", ".join(word for word, _ in pairs) or "-"


@click.command()
@click.argument("article_id", type=int)
@click.option("--add", "add", multiple=True, metavar="LABEL", help="A topic the article has (repeatable).")
@click.option("--remove", "remove", multiple=True, metavar="LABEL", help="A topic the article does not have (repeatable).")
@click.option("--irrelevant", is_flag=True, help="The article is not about AI governance at all.")
@db_option
def label(article_id: int, add, remove, irrelevant: bool, db_url: str) -> None:
    """Record an analyst's correction of ARTICLE_ID's tags; it wins over the model from now on."""
    from classifier.taxonomy import load_taxonomy
    from storage.db import open_for_command
    from storage.tagging import record_correction

    if not (add or remove or irrelevant):
        raise click.UsageError("say what to correct: --add LABEL, --remove LABEL or --irrelevant")
    with user_errors():
        load_taxonomy().check([*add, *remove])
        with open_for_command(db_url)() as session, session.begin():
            article = record_correction(session, article_id, add=add, remove=remove, irrelevant=irrelevant)
            topics = sorted(f"{t.label} ({t.origin})" for t in article.topics)
            relevance = article.relevance
    shown = "-" if relevance is None else f"{relevance:.2f}"
    click.echo(f"article {article_id}: relevance {shown}; topics: {', '.join(topics) or 'none'}")


@click.command()
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Labelled JSONL file (repeatable): one JSON object per line with \"text\", \"relevant\" "
                   "(true/false) and \"topics\" (a list of labels), optionally \"title\", \"lang\" and "
                   "\"note\" (an event id; records of one event stay in one fold); see "
                   "docs/labelled-sample.jsonl. Default: the shared training data beside a source checkout "
                   "(../shared/data/realnews-train.jsonl), when present.")
@click.option("--corrections/--no-corrections", default=True, show_default=True,
              help="Also learn from analysts' corrections in the database (--db).")
@db_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Where to save the model; metrics go next to it. Default: ${HOME.env}/models/{MODEL_FILE} "
                   f"(the working folder when {HOME.env} is unset). The model is used only where chosen "
                   f"with --model or {MODEL.env}.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--examples/--no-examples", default=True, show_default=True,
              help="Also train on the team-written examples in classifier/examples/ (never scored).")
@click.option("--estimates/--no-estimates", default=True, show_default=True,
              help="Also estimate the scores on unseen news: new collection and leave-one-language-out (about 40 more fits).")
def train(data, corrections: bool, db_url: str, output: Path | None, folds: int, examples: bool, estimates: bool) -> None:
    """Train a new model version from labelled JSONL files and analysts' corrections.

    Prints three estimates: cross-validation grouped by event; the new-collection estimate (train
    on one collection of the records, test on the other, both ways; collections come from a
    record's "collection" field, or ids t001-t398 / t401-); and leave-one-language-out (each
    non-English language with 40+ records). The last two are the honest ones for news the model
    has never seen.

    The packaged model stays as it is: the new one is saved to --output (default
    $NEWSMON_HOME/models/newsmon-model.joblib) and used only where you choose it, with --model or
    the NEWSMON_MODEL environment variable (read by crawl, nightly, tag, retag and evaluate)."""
    from classifier.taxonomy import load_taxonomy
    from classifier.training import read_examples, read_jsonl, train as train_model

    if not data:
        if not DEFAULT_DATA.is_file():
            raise click.ClickException(f"no --data given and no default training data at {DEFAULT_DATA}")
        data = (DEFAULT_DATA,)
    with user_errors():
        taxonomy = load_taxonomy()
        records, sources = [], []
        for path in data:
            records.extend(read_jsonl(path))
            sources.append(str(path))
        if corrections:
            corrected = _corrections(db_url)
            if corrected:
                records.extend(corrected)
                sources.append(f"{len(corrected)} corrected articles in the database")
        extra = read_examples() if examples else []
        if extra:
            sources.append(f"{len(extra)} team-written examples (classifier/examples, not scored)")
        click.echo(f"training on {len(records)} records + {len(extra)} written examples ({folds}-fold cross-validation grouped by event) ...", err=True)
        model = train_model(records, taxonomy, sources, folds=folds, extra=extra, with_estimates=estimates)
        path = model.save(output or default_model_output())
    print_training_report(model.metrics, estimated=estimates)
    click.echo(f"\nsaved model {model.version} to {path}")
    click.echo(f"use it with --model {path}, or export {MODEL.env}={path.resolve()} for crawl and nightly")


def _corrections(db_url: str) -> list[dict]:
    from sqlalchemy.engine import make_url

    from storage.db import open_for_command
    from storage.tagging import training_records_from_corrections

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return []  # no database yet, so no corrections
    with open_for_command(db_url)() as session:
        return list(training_records_from_corrections(session))


@click.command()
@click.option("--since", type=DATE,
              help="Only articles dated on or after this date (YYYY-MM-DD): published, else first seen, "
                   "as in `newsmon query --since`.")
@click.option("--seen-since", type=DATE,
              help="Only articles newsmon first saw on or after this date (YYYY-MM-DD).")
@db_option
@model_option
def retag(since, seen_since, db_url: str, model_path: Path | None) -> None:
    """Re-tag stored articles with the current model (analysts' corrections still win)."""
    from sqlalchemy import and_, true

    from storage.db import open_for_command
    from storage.models import Article
    from storage.queries import article_date
    from storage.tagging import tag_stored

    with user_errors():
        model = _model(model_path)
        conditions = [article_date() >= since] if since is not None else []
        if seen_since is not None:
            conditions.append(Article.first_seen >= seen_since)
        condition = and_(true(), *conditions) if conditions else None
        done = tag_stored(open_for_command(db_url), model.predict, model.version, condition, RETAG_BATCH)
    click.echo(f"re-tagged {done} articles with model {model.version}")


@click.command()
@click.option("--data", "data", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Labelled JSONL file.")
@model_option
@format_option
def evaluate(data: Path, model_path: Path | None, fmt: str) -> None:
    """Score the current model on a labelled JSONL file."""
    from classifier.evaluation import per_language, scores
    from classifier.taxonomy import load_taxonomy
    from classifier.training import label_matrix, read_jsonl

    with user_errors():
        model = _model(model_path)
        records = list(read_jsonl(data))
        if not records:
            raise click.ClickException(f"{data}: no records")
        truth = label_matrix(records, load_taxonomy())
        if truth.shape[1] != len(model.labels):
            raise click.ClickException("the model's labels differ from the taxonomy's; retrain with `newsmon train`")
        predicted = model.predict_labels([(r.get("title") or None, r["text"]) for r in records])
    result = scores(truth, predicted, model.labels)
    if fmt == "json":
        click.echo(json.dumps(result))
        return
    click.echo(f"{result['n']} records, model {model.version}")
    print_scores(result)
    click.echo("\nper language: " + ", ".join(
        f"{lang} n={row['n']} rel-F1={row['relevance_f1']:.2f} macro-F1={'-' if row['macro_f1'] is None else format(row['macro_f1'], '.2f')}"
        for lang, row in per_language(truth, predicted, [r.get("lang") for r in records]).items()
    ))
