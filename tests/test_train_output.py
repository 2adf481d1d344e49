"""`newsmon train` saves a user's model to a user's place and leaves the packaged one alone
(issue 11, item 2)."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from classifier.model import DEFAULT_MODEL
from classifier.training import read_jsonl
from newsmon.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "docs" / "labelled-sample.jsonl"
NEWSMON = str(Path(sys.executable).with_name("newsmon"))


def test_train_help_documents_the_format_and_no_machine_path():
    result = CliRunner().invoke(cli, ["train", "--help"])
    assert result.exit_code == 0
    assert str(ROOT.parent) not in result.output and "docs/labelled-sample.jsonl" in result.output
    assert "NEWSMON_MODEL" in result.output and "NEWSMON_HOME" in result.output


def test_the_sample_labelled_file_is_valid():
    records = list(read_jsonl(SAMPLE))
    assert len(records) >= 8 and any(r["relevant"] for r in records) and not all(r["relevant"] for r in records)


def test_train_saves_under_newsmon_home_and_the_model_is_used_only_when_chosen(tmp_path):
    packaged = hashlib.sha256(DEFAULT_MODEL.read_bytes()).hexdigest()
    env = {"PATH": "/usr/bin:/bin", "NEWSMON_HOME": str(tmp_path / "home")}
    result = subprocess.run([NEWSMON, "train", "--data", str(SAMPLE), "--no-corrections", "--folds", "2"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    saved = tmp_path / "home" / "models" / "newsmon-model.joblib"
    assert saved.is_file() and f"--model {saved}" in result.stdout
    # the sample holds one collection and English only: the honest estimates say why they are missing
    assert "new-collection estimate: not computed" in result.stdout
    assert "leave-one-language-out estimate: not computed" in result.stdout
    assert hashlib.sha256(DEFAULT_MODEL.read_bytes()).hexdigest() == packaged
    article = tmp_path / "a.txt"
    article.write_text("Export controls and sanctions on advanced AI chips were tightened. " * 5)
    default = subprocess.run([NEWSMON, "tag", str(article)], capture_output=True, text=True, timeout=120,
                             cwd=tmp_path, env=env)
    chosen = subprocess.run([NEWSMON, "tag", str(article)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path, env={**env, "NEWSMON_MODEL": str(saved)})
    version = next(line for line in result.stdout.splitlines() if line.startswith("saved model")).split()[2]
    assert version not in default.stdout and f"(model {version})" in chosen.stdout
