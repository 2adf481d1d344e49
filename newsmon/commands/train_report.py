"""What `newsmon train` prints: grouped cross-validation, then the harsher estimates of how tags hold
up on news from other outlets, events and languages (``classifier.estimates``)."""
from __future__ import annotations

import click

from classifier.estimates import MIN_LANGUAGE_RECORDS


def print_training_report(metrics: dict, estimated: bool = True) -> None:
    """Print the three estimates; say why an honest estimate is missing rather than leave it out."""
    cv = metrics["cross_validation"]
    click.echo(f"grouped cross-validation: {cv['folds']} folds, {cv['groups']} event groups")
    print_scores(cv["scores"])
    print_recall_by_topic_count(cv.get("recall_by_topic_count"))
    print_languages(cv["per_language"])
    click.echo("\ncalibration of the topic tags shown (out-of-fold): confidence band, tags, mean confidence, right")
    for band in cv["calibration"]:
        click.echo(f"  {band['band']}  {band['tags']:>5}  {band['mean_confidence']:.2f}  {band['precision']:.2f}")
    new = metrics.get("new_collection")
    if new:
        click.echo("\nnew-collection estimate (train on one collection of records, test on the other)")
        for name, report in new["directions"].items():
            click.echo(f"\n{name}")
            print_scores(report["scores"])
            print_recall_by_topic_count(report["recall_by_topic_count"])
            print_languages(report["per_language"])
        _print_mean("new collection, mean of both directions", new["mean"])
    lolo = metrics.get("leave_one_language_out")
    if lolo:
        click.echo("\nleave-one-language-out estimate (train without the language, test on it)")
        click.echo("(macro-F1 over the topics present in the language; micro-F1 also counts topics given where none is)")
        click.echo(f"{'lang':<6}{'n':>5}{'relevance F1':>14}{'macro-F1':>10}{'micro-F1':>10}")
        for lang, report in lolo["languages"].items():
            s = report["scores"]
            click.echo(f"{lang:<6}{s['n']:>5}{s['relevance']['f1']:>14.3f}{_f(report['macro_f1']):>10}{s['micro_f1']:>10.3f}")
        _print_mean("leave one language out, mean over languages", lolo["mean"])
    if not estimated:
        click.echo("\nnew-collection and leave-one-language-out estimates: skipped (--no-estimates)")
        return
    if not new:
        click.echo("\nnew-collection estimate: not computed: the records hold one collection "
                   '(give each record a "collection" field, such as the month it was gathered)')
    if not lolo:
        click.echo(f"\nleave-one-language-out estimate: not computed: no language but English has "
                   f"{MIN_LANGUAGE_RECORDS}+ records")


def print_scores(scores: dict) -> None:
    rel = scores["relevance"]
    click.echo(f"{'label':<26}{'precision':>10}{'recall':>8}{'F1':>8}{'support':>9}")
    click.echo(f"{'relevant':<26}{rel['precision']:>10.3f}{rel['recall']:>8.3f}{rel['f1']:>8.3f}")
    for label, row in scores["per_label"].items():
        click.echo(f"{label:<26}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>9}")
    click.echo(f"{'topics micro-F1':<26}{scores['micro_f1']:>26.3f}")
    click.echo(f"{'topics macro-F1':<26}{scores['macro_f1']:>26.3f}")


def print_recall_by_topic_count(table: dict | None) -> None:
    """Topic recall on records with one topic and with several, per topic."""
    if not table:
        return
    for name, row in table.items():
        if not row["records"]:
            continue
        labels = ", ".join(f"{label} {_f(value)}" for label, value in row["per_label"].items() if value is not None)
        click.echo(f"topic recall, records with {name}: {_f(row['recall'])} ({row['records']} records; {labels})")


def print_languages(table: dict) -> None:
    click.echo("per language (macro-F1 over the topics present in that language)")
    click.echo(f"{'lang':<6}{'n':>5}{'relevance F1':>14}{'macro-F1':>10}")
    for lang, row in table.items():
        click.echo(f"{lang:<6}{row['n']:>5}{row['relevance_f1']:>14.3f}{_f(row['macro_f1']):>10}")


def _print_mean(title: str, mean: dict) -> None:
    click.echo(
        f"{title}: topic macro-F1 {mean['macro_f1']:.3f}, micro-F1 {mean['micro_f1']:.3f}, relevance F1 {mean['relevance_f1']:.3f}"
    )


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
