"""`newsmon tag | label | train | retag | evaluate`: the topic classifier from the command line."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click

from newsmon.commands.query import parse_date
from newsmon.errors import NewsmonError
from newsmon.options import db_option

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "realnews-train.jsonl"
RETAG_BATCH = 500

model_option = click.option(
    "--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Model file to use (default: the committed classifier/models/default.joblib).",
)
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@contextmanager
def user_errors():
    """Project errors become click errors: one line a person can act on, no traceback."""
    try:
        yield
    except NewsmonError as exc:
        raise click.ClickException(str(exc)) from exc


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
    from storage.db import open_database
    from storage.tagging import record_correction

    if not (add or remove or irrelevant):
        raise click.UsageError("say what to correct: --add LABEL, --remove LABEL or --irrelevant")
    with user_errors():
        load_taxonomy().check([*add, *remove])
        with open_database(db_url)() as session, session.begin():
            article = record_correction(session, article_id, add=add, remove=remove, irrelevant=irrelevant)
            topics = sorted(f"{t.label} ({t.origin})" for t in article.topics)
            relevance = article.relevance
    shown = "-" if relevance is None else f"{relevance:.2f}"
    click.echo(f"article {article_id}: relevance {shown}; topics: {', '.join(topics) or 'none'}")


@click.command()
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help=f"Labelled JSONL file (repeatable). Default: {DEFAULT_DATA} when present.")
@click.option("--corrections/--no-corrections", default=True, show_default=True,
              help="Also learn from analysts' corrections in the database (--db).")
@db_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to save the model (default: classifier/models/default.joblib); metrics go next to it.")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
def train(data, corrections: bool, db_url: str, output: Path | None, folds: int) -> None:
    """Train a new model version from labelled JSONL files and analysts' corrections."""
    from classifier.model import DEFAULT_MODEL
    from classifier.taxonomy import load_taxonomy
    from classifier.training import read_jsonl, train as train_model

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
        click.echo(f"training on {len(records)} records ({folds}-fold cross-validation grouped by event) ...", err=True)
        model = train_model(records, taxonomy, sources, folds=folds)
        path = model.save(output or DEFAULT_MODEL)
    cv = model.metrics["cross_validation"]
    click.echo(f"cross-validated over {cv['folds']} folds, {cv['groups']} event groups")
    _print_scores(cv["scores"])
    click.echo("\nper language (macro-F1 over the topics present in that language)")
    click.echo(f"{'lang':<6}{'n':>5}{'relevance F1':>14}{'macro-F1':>10}")
    for lang, row in cv["per_language"].items():
        macro = "-" if row["macro_f1"] is None else f"{row['macro_f1']:.3f}"
        click.echo(f"{lang:<6}{row['n']:>5}{row['relevance_f1']:>14.3f}{macro:>10}")
    click.echo("\ncalibration of the topic tags shown (out-of-fold): confidence band, tags, mean confidence, right")
    for band in cv["calibration"]:
        click.echo(f"  {band['band']}  {band['tags']:>5}  {band['mean_confidence']:.2f}  {band['precision']:.2f}")
    click.echo(f"\nsaved model {model.version} to {path}")


def _corrections(db_url: str) -> list[dict]:
    from sqlalchemy.engine import make_url

    from storage.db import open_database
    from storage.tagging import training_records_from_corrections

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return []  # no database yet, so no corrections
    with open_database(db_url)() as session:
        return list(training_records_from_corrections(session))


def _print_scores(scores: dict) -> None:
    rel = scores["relevance"]
    click.echo(f"{'label':<26}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    click.echo(f"{'relevant':<26}{rel['precision']:>10.3f}{rel['recall']:>8.3f}{rel['f1']:>8.3f}")
    for label, row in scores["per_label"].items():
        click.echo(f"{label:<26}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>9}")
    click.echo(f"{'topics micro-F1':<26}{scores['micro_f1']:>26.3f}")
    click.echo(f"{'topics macro-F1':<26}{scores['macro_f1']:>26.3f}")


@click.command()
@click.option("--since", callback=parse_date, help="Only articles first seen on or after this date (YYYY-MM-DD).")
@db_option
@model_option
def retag(since, db_url: str, model_path: Path | None) -> None:
    """Re-tag stored articles with the current model (analysts' corrections still win)."""
    from storage.db import open_database
    from storage.models import Article
    from storage.tagging import tag_stored

    with user_errors():
        model = _model(model_path)
        condition = Article.first_seen >= since if since is not None else None
        done = tag_stored(open_database(db_url), model.predict, model.version, condition, RETAG_BATCH)
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
    _print_scores(result)
    click.echo("\nper language: " + ", ".join(
        f"{lang} n={row['n']} rel-F1={row['relevance_f1']:.2f} macro-F1={'-' if row['macro_f1'] is None else format(row['macro_f1'], '.2f')}"
        for lang, row in per_language(truth, predicted, [r.get("lang") for r in records]).items()
    ))
