"""``fuhe routing evaluate|predict|cv``: train the message router on a labelled CSV and use it;
``fuhe routing recommend``: what routing decides for each message of a CSV, with the duty list and model in force.

The logic lives in :mod:`fuhe.routing.core.classifier` and ``routing.services.routing_recommend_messages``; this
command only parses arguments, finds the taxonomy and turns data errors into ``CommandError``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from fuhe.routing.core.classifier import (
    CHOSEN,
    VARIANTS,
    CsvFormatError,
    TextClassifier,
    cross_validate,
    evaluate,
    load_taxonomy_keywords,
    read_labelled_csv,
    read_message_table,
    write_labelled_csv,
)

TAXONOMY_IN_SHARED_DATA = Path("messages") / "taxonomy.csv"


class Command(BaseCommand):
    help = "Train the message router on a labelled CSV, then evaluate it, label new messages or cross-validate."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{evaluate,predict,cv,recommend}")
        recommend_parser = actions.add_parser(
            "recommend",
            help="for each message of --input (title, text, optional lat/long), the duty item, owning unit, "
            "confidence and decision (auto or human) of the routing in force, written to --output",
        )
        recommend_parser.add_argument("--input", type=Path, required=True, help="CSV: title, text[, lat, long]")
        recommend_parser.add_argument("--region", required=True, help="division code where the messages arrive")
        recommend_parser.add_argument("--output", type=Path, required=True, help="where to write the results")
        evaluate_parser = actions.add_parser("evaluate", help="train on --train, report scores on --test")
        evaluate_parser.add_argument("--test", type=Path, required=True, help="labelled CSV to score")
        predict_parser = actions.add_parser("predict", help="train on --train, label the rows of --input")
        predict_parser.add_argument("--input", type=Path, required=True, help="CSV with title and text columns")
        predict_parser.add_argument("--output", type=Path, required=True, help="where to write the labelled CSV")
        cv_parser = actions.add_parser("cv", help="repeated stratified k-fold cross-validation on --train")
        cv_parser.add_argument("--folds", type=int, default=5)
        cv_parser.add_argument("--repeats", type=int, default=3)
        cv_parser.add_argument("--seed", type=int, default=0)
        cv_parser.add_argument(
            "--variant",
            choices=sorted(VARIANTS),
            default=None,
            help="a model variant from docs/routing-evaluation.md (default: the chosen one)",
        )
        for sub in (evaluate_parser, predict_parser, cv_parser):
            self._add_common(sub)

    @staticmethod
    def _add_common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--train", type=Path, required=True, help="labelled CSV (title, text, label)")
        parser.add_argument(
            "--taxonomy",
            type=Path,
            default=None,
            help="taxonomy CSV (level1, level2, level3) whose names are used as class keywords; "
            "default: messages/taxonomy.csv under the FUHE_SHARED_DATA setting",
        )
        parser.add_argument("--no-taxonomy", action="store_true", help="train without taxonomy keywords")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "recommend":
            self._recommend(options["input"], options["region"], options["output"])
            return
        try:
            keywords = self._keywords(options["taxonomy"], options["no_taxonomy"])
            messages, labels = read_labelled_csv(options["train"])
            if options["action"] == "cv":
                self._cross_validate(messages, labels, keywords, options)
                return
            model = TextClassifier().fit(messages, labels, keywords=keywords)
            self.stderr.write(
                f"trained on {model.n_training_messages_} messages and "
                f"{model.n_keyword_documents_} keyword documents, classes: {', '.join(model.classes_)}"
            )
            if options["action"] == "evaluate":
                self._evaluate(model, options["test"])
            else:
                self._predict(model, options["input"], options["output"])
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}" if error.filename else str(error)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error

    def _keywords(self, path: Path | None, disabled: bool) -> dict[str, list[str]] | None:
        if disabled:
            return None
        if path is not None:
            return load_taxonomy_keywords(path)
        shared = getattr(settings, "FUHE_SHARED_DATA", None)
        default = Path(shared) / TAXONOMY_IN_SHARED_DATA if shared else None
        if default is None or not default.is_file():
            where = default or "FUHE_SHARED_DATA (setting not defined)"
            self.stderr.write(f"note: no taxonomy at {where}; training without taxonomy keywords")
            return None
        return load_taxonomy_keywords(default)

    def _evaluate(self, model: TextClassifier, test: Path) -> None:
        messages, labels = read_labelled_csv(test)
        report = evaluate(labels, model.predict_labels(messages))
        self.stdout.write(report.format())

    def _predict(self, model: TextClassifier, source: Path, target: Path) -> None:
        table = read_message_table(source)
        write_labelled_csv(target, table, model.predict_labels(table.messages))
        self.stdout.write(f"labelled {len(table.rows)} messages → {target}")

    def _cross_validate(self, messages: list, labels: list[str], keywords: dict | None, options: dict) -> None:
        variant = options["variant"]
        config = VARIANTS[variant] if variant else CHOSEN
        result = cross_validate(
            messages,
            labels,
            config=config,
            keywords=keywords,
            folds=options["folds"],
            repeats=options["repeats"],
            seed=options["seed"],
        )
        self.stdout.write(f"{variant or 'chosen'}: {result.format()}")

    def _recommend(self, source: Path, code: str, target: Path) -> None:
        from fuhe.org.models import Region
        from fuhe.routing.services import routing_recommend_messages

        region = Region.objects.filter(code=code.strip()).first()
        if region is None:
            raise CommandError(_("--region: no region has the division code %(code)s") % {"code": code})
        try:
            table = read_message_table(source)
            rows = message_rows(table)
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}" if error.filename else str(error)) from error
        except CsvFormatError as error:
            raise CommandError(
                _("%(file)s: row %(line)s, column %(column)s: %(problem)s")
                % {"file": error.path, "line": error.line, "column": error.column, "problem": error.problem}
            ) from error
        results = routing_recommend_messages(rows=rows, region=region)
        columns = [*RESULT_COLUMNS]
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*table.fieldnames, *columns], extrasaction="ignore")
            writer.writeheader()
            for row, result in zip(table.rows, results, strict=True):
                writer.writerow({**row, **{column: result.get(column, "") for column in columns}})
        automatic = sum(result["decision"] == "auto" for result in results)
        self.stdout.write(
            _("%(count)s messages → %(path)s: %(auto)s auto-dispatched, %(human)s left to a person")
            % {"count": len(results), "path": target, "auto": automatic, "human": len(results) - automatic}
        )


RESULT_COLUMNS = (
    "place",
    "place_name",
    "placed_by",
    "item_code",
    "item_matter",
    "unit_kind",
    "unit",
    "confidence",
    "item_confidence",
    "alternatives",
    "decision",
    "why",
)


def message_rows(table) -> list:
    """The rows of a message table checked: a text, and lat/long as a pair of numbers in range when given."""
    from fuhe.routing.services import MessageRow

    rows = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        if not (row.get("text") or "").strip() and not (row.get("title") or "").strip():
            raise CsvFormatError(table.path, line, "text", gettext("empty: a message needs a title or a text"))
        rows.append(MessageRow(line, row["title"].strip(), row["text"].strip(), _point(table.path, line, row)))
    return rows


def _point(path: Path, line: int, row: dict) -> tuple[float, float] | None:
    latitude, longitude = (row.get("lat") or "").strip(), (row.get("long") or "").strip()
    if not latitude and not longitude:
        return None
    values = []
    for column, value, limit in (("lat", latitude, 90), ("long", longitude, 180)):
        if not value:
            raise CsvFormatError(path, line, column, gettext("missing: lat and long go together"))
        try:
            number = float(value)
        except ValueError:
            raise CsvFormatError(
                path, line, column, gettext("“%(value)s” is not a number") % {"value": value}
            ) from None
        if not -limit <= number <= limit:
            raise CsvFormatError(
                path, line, column, gettext("%(value)s is out of range (±%(limit)s)") % {"value": value, "limit": limit}
            )
        values.append(number)
    return values[0], values[1]
