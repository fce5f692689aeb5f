"""``fuhe routing evaluate|predict|cv`` through Django's call_command (no database needed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

MESSAGES = Path(settings.FUHE_SHARED_DATA) / "messages"
pytestmark = pytest.mark.skipif(
    not (MESSAGES / "labelled_train.csv").is_file(), reason="the shared data set is not beside the checkout"
)


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> tuple[Path, Path]:
    """The labelled messages, every third one held out (keeps all seven labels on both sides)."""
    with (MESSAGES / "labelled_train.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames, rows = reader.fieldnames, list(reader)
    folder = tmp_path_factory.mktemp("routing")
    paths = folder / "train.csv", folder / "test.csv"
    parts = ([row for i, row in enumerate(rows) if i % 3], [row for i, row in enumerate(rows) if not i % 3])
    for path, part in zip(paths, parts, strict=True):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames)
            writer.writeheader()
            writer.writerows(part)
    return paths


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("routing", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_evaluate_prints_scores_and_per_class_table(split):
    train, test = split
    out, err = run("evaluate", "--train", str(train), "--test", str(test))
    macro_f1 = float(next(line for line in out.splitlines() if line.startswith("macro-F1:")).split()[1])
    assert macro_f1 > 0.75
    assert "accuracy:" in out and "城乡建设" in out and "support" in out
    assert "keyword documents" in err  # the taxonomy was found through settings.FUHE_SHARED_DATA


def test_predict_writes_input_columns_plus_label(split, tmp_path):
    train, _ = split
    output = tmp_path / "out.csv"
    run("predict", "--train", str(train), "--input", str(MESSAGES / "endorsed.csv"), "--output", str(output))
    with output.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["id", "user", "title", "time", "text", "likes", "dislikes", "label"]
    assert len(rows) == 30
    assert {row["label"] for row in rows} <= {
        "城乡建设",
        "环境保护",
        "交通运输",
        "教育文体",
        "劳动和社会保障",
        "商贸旅游",
        "卫生计生",
    }


@pytest.mark.slow
def test_cv_prints_mean_and_sd(split):
    train, _ = split
    out, _ = run("cv", "--train", str(train), "--folds", "3", "--repeats", "1")
    assert "macro-F1" in out and "±" in out and "3 folds" in out


def test_missing_taxonomy_runs_without_it_and_says_so(split, settings, tmp_path):
    settings.FUHE_SHARED_DATA = tmp_path
    train, test = split
    out, err = run("evaluate", "--train", str(train), "--test", str(test))
    assert "macro-F1:" in out
    assert "note: no taxonomy" in err and str(tmp_path) in err


def test_errors_name_file_line_and_column(split, tmp_path):
    train, _ = split
    bad = tmp_path / "bad.csv"
    bad.write_text("title,text,label\n路灯,坏了,\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.csv: line 2, column 'label': empty label"):
        run("evaluate", "--train", str(train), "--test", str(bad))
    with pytest.raises(CommandError, match=r"missing\.csv: No such file"):
        run("evaluate", "--train", str(tmp_path / "missing.csv"), "--test", str(bad))
