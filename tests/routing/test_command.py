"""``fuhe routing evaluate|predict|cv`` through Django's call_command (no database needed)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

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
    with translation.override("en"):  # messages are asserted on their English msgids
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


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.django_db
def test_recommend_writes_item_unit_confidence_and_decision_per_message(tree, duty_list, tmp_path, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "measured"
    source = write_csv(
        tmp_path / "in.csv",
        ["id", "title", "text", "lat", "long"],
        [["1", "路灯不亮", "小区门口路灯坏了半个月", "", ""], ["2", "", "楼上私搭乱建违章建筑", "39.1", "117.2"]],
    )
    out, _ = run(
        "recommend",
        "--input",
        str(source),
        "--region",
        tree.regions["花园路社区"].code,
        "--output",
        str(tmp_path / "out.csv"),
    )
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1", "2"]  # the input's columns kept
    assert rows[0]["item_code"] == "CG-01" and rows[0]["unit"] == "和平区城管委"
    assert rows[0]["unit_kind"] == "department:urban_management" and 0 < float(rows[0]["confidence"]) <= 1
    assert rows[1]["unit_kind"] == "street" and rows[1]["unit"] == "劝业场街道办事处"
    assert rows[1]["placed_by"] == "region"  # no boundary on record holds the point: placed by --region
    assert {row["decision"] for row in rows} == {"human"}  # a cold start never dispatches alone
    assert all(row["why"] for row in rows) and "2 left to a person" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (["title", "text", "lat", "long"], ["a", "路灯坏了", "north", "117.2"], "row 2, column lat"),
        (["title", "text", "lat", "long"], ["a", "路灯坏了", "39.1", ""], "row 2, column long"),
        (["title", "text", "lat", "long"], ["a", "路灯坏了", "39.1", "217"], "row 2, column long"),
        (["title", "text"], ["", ""], "row 2, column text"),
        (["title", "body"], ["a", "b"], "column text"),
    ],
)
def test_recommend_names_the_row_and_column_of_bad_input(tree, duty_list, tmp_path, header, row, message):
    source = write_csv(tmp_path / "in.csv", header, [row])
    with pytest.raises(CommandError, match=message):
        run("recommend", "--input", str(source), "--region", "120101000000", "--output", str(tmp_path / "o.csv"))


@pytest.mark.django_db
def test_recommend_refuses_an_unknown_region(tmp_path):
    source = write_csv(tmp_path / "in.csv", ["title", "text"], [["a", "b"]])
    with pytest.raises(CommandError, match="--region"):
        run("recommend", "--input", str(source), "--region", "999999999999", "--output", str(tmp_path / "o.csv"))
