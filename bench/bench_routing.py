"""Message routing: training time and prediction throughput, against a plain character TF-IDF + LinearSVC.

    taskset -c 0 .venv/bin/python bench/bench_routing.py [--runs 5] [--messages 10000]
    .venv/bin/python bench/bench_routing.py --cv [--folds 5 --repeats 5]

Throughput is measured over the 330 labelled messages plus the 150 unlabelled ones (replies.csv,
endorsed.csv) cycled to ``--messages``; the baseline (a scikit-learn pipeline of ``TfidfVectorizer(analyzer=
"char")`` and ``LinearSVC()`` on title + body) is measured in the same run and the ratio printed. Run it
pinned to one core (``taskset -c 0``) for per-core figures. ``--cv`` instead prints the cross-validated
macro-F1 (mean ± sd over repeated stratified k-fold) of every variant in ``VARIANTS``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from fuhe.routing.core.classifier import (
    VARIANTS,
    Message,
    TextClassifier,
    cross_validate,
    load_taxonomy_keywords,
    read_labelled_csv,
    read_message_table,
)

SHARED = Path(os.environ.get("FUHE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
MESSAGES = SHARED / "messages"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def baseline_pipeline(messages: Sequence[Message], labels: Sequence[str]) -> Pipeline:
    pipeline = make_pipeline(TfidfVectorizer(analyzer="char"), LinearSVC())
    return pipeline.fit([message.document for message in messages], labels)


def throughput(args: argparse.Namespace) -> None:
    messages, labels = read_labelled_csv(MESSAGES / "labelled_train.csv")
    keywords = load_taxonomy_keywords(MESSAGES / "taxonomy.csv")
    unlabelled = [
        *read_message_table(MESSAGES / "replies.csv").messages,
        *read_message_table(MESSAGES / "endorsed.csv").messages,
    ]
    corpus = list(itertools.islice(itertools.cycle([*messages, *unlabelled]), args.messages))
    documents = [message.document for message in corpus]
    mean_chars = statistics.fmean(len(document) for document in documents)

    TextClassifier().fit(messages[:50], labels[:50])  # warm-up: imports, first-call costs
    fit_seconds = median_seconds(lambda: TextClassifier().fit(messages, labels, keywords=keywords), args.runs)
    baseline_fit = median_seconds(lambda: baseline_pipeline(messages, labels), args.runs)
    model = TextClassifier().fit(messages, labels, keywords=keywords)
    baseline = baseline_pipeline(messages, labels)

    rates = {
        "baseline: char TF-IDF + LinearSVC, predict": baseline.predict,
        "chosen: TextClassifier.predict (label, confidence, alternatives, keywords)": lambda _: model.predict(corpus),
        "chosen: TextClassifier.predict_labels": lambda _: model.predict_labels(corpus),
    }
    print(
        f"machine: {platform.processor() or platform.machine()}, os.cpu_count()={os.cpu_count()}, "
        f"usable cores={len(os.sched_getaffinity(0))}, Python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}"
    )
    print(f"training: {len(messages)} labelled messages + {model.n_keyword_documents_} taxonomy keyword documents")
    print(f"  chosen model fit: {fit_seconds:.3f} s (median of {args.runs}); baseline fit: {baseline_fit:.3f} s")
    print(f"  serialised model: {len(model.to_bytes()) / 1024:.0f} KiB")
    print(f"prediction: {len(corpus)} messages (mean {mean_chars:.0f} characters), median of {args.runs} runs")
    measured = {}
    for name, predict in rates.items():
        seconds = median_seconds(lambda predict=predict: predict(documents), args.runs)
        measured[name] = len(corpus) / seconds
        print(f"  {name}: {measured[name]:,.0f} messages/s")
    base, ours = list(measured.values())[0], list(measured.values())[1]
    print(f"ratio, chosen predict / baseline predict: {ours / base:.2f}")


def variants(args: argparse.Namespace) -> None:
    messages, labels = read_labelled_csv(MESSAGES / "labelled_train.csv")
    keywords = load_taxonomy_keywords(MESSAGES / "taxonomy.csv")
    print(
        f"cross-validated macro-F1, {args.repeats} × stratified {args.folds}-fold, seed {args.seed}, "
        f"{len(messages)} messages; keyword variants use taxonomy.csv"
    )
    for name, config in VARIANTS.items():
        started = time.perf_counter()
        result = cross_validate(
            messages, labels, config=config, keywords=keywords, folds=args.folds, repeats=args.repeats, seed=args.seed
        )
        print(f"  {name:48} {result.mean:.4f} ± {result.std:.4f}  ({time.perf_counter() - started:.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--cv", action="store_true", help="print the cross-validated macro-F1 of every variant")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.cv:
        variants(args)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
