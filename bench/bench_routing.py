"""Message routing: throughput against a plain character TF-IDF + LinearSVC, the owning-unit evaluation, the
background worker's rate.

    taskset -c 0 .venv/bin/python bench/bench_routing.py [--runs 5] [--messages 10000]
    .venv/bin/python bench/bench_routing.py --units [--folds 5] [--set units|blind|blind2|blind3 [--split test|dev]]
        [--no-curve] [--no-typical]
    taskset -c 0 .venv/bin/python bench/bench_routing.py --worker [--cases 2000]
    .venv/bin/python bench/bench_routing.py --cv [--folds 5 --repeats 5]

Default: throughput over the 330 labelled messages plus the 150 unlabelled ones (replies.csv, endorsed.csv)
cycled to ``--messages``, (1) of the first-level classifier and (2) of the recommendation against the demo duty
list (the model ``routing_model_train`` builds from the list; per message: item probabilities restricted to the
list, keyword evidence, owners ranked by summed probability); each beside a baseline (a scikit-learn pipeline of
``TfidfVectorizer(analyzer="char")`` and ``LinearSVC()`` trained on the same data) measured in the same run. Run it
pinned to one core (``taskset -c 0``) for per-core figures.

``--units``: the owning-unit evaluation on ``src/fuhe/routing/data/eval_units.csv`` (``--set units``, the default) or
on the blind set ``eval_blind.csv`` (``--set blind``, with ``--split dev`` or ``--split test``: the test half's
mistakes are never listed, improvements look at dev only) (never trained on): top-1 and
top-3 unit accuracy, per-owner precision and recall, the confusions, every mistake with the three owners
recommended, the reliability table and expected calibration error (raw, and Platt-calibrated cross-fitted over
``--folds`` folds), the auto-dispatch threshold chosen as ``routing_model_train`` chooses it (over every message,
where the precision's one-sided 95 % lower bound, Clopper–Pearson, reaches 0.95) with the share of cases it would
dispatch automatically and the precision on them, a check (chosen on the other folds, applied to the held one),
and (unless ``--no-curve``) the learning curve: accuracy on each held fold after 0, ¼, ½, ¾ and all
of the dispatcher decisions taken from the other folds (about 4–5 minutes in all on a shared core). The model
is the list's keywords and its items' typical cases (``duties/data/typical_cases.csv``), as ``routing_model_train``
builds it; ``--no-typical`` leaves the typical cases out, to measure what they add.

``--worker``: builds the demo organisation and duty list in a throw-away database, receives ``--cases`` cases
through ``case_create`` and times the background routing (``cases_route``) beside the intake rate.

``--cv`` prints the cross-validated macro-F1 (mean ± sd over repeated stratified k-fold) of every variant in
``VARIANTS``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from fuhe.duties.core.keywords import clean_keywords
from fuhe.duties.seed import demo_items
from fuhe.routing.core.classifier import (
    VARIANTS,
    KeywordMatcher,
    Message,
    TextClassifier,
    cross_validate,
    load_taxonomy_keywords,
    read_labelled_csv,
    read_message_table,
)
from fuhe.routing.core.evaluation import (
    PlattScaling,
    out_of_fold_measure,
    reliability,
    threshold_for_precision,
    unit_report,
)
from fuhe.routing.core.recommend import ItemScorer, keyword_documents, normalize_for_keywords

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
    recommendation_throughput(args, corpus)


# --- the demo duty list: recommendation and the owning unit -----------------------------------------------

DATA = Path(__file__).resolve().parents[1] / "src" / "fuhe" / "routing" / "data"
EVAL_UNITS = DATA / "eval_units.csv"
EVAL_SETS = {
    "units": EVAL_UNITS,
    "blind": DATA / "eval_blind.csv",
    "blind2": DATA / "eval_blind2.csv",
    "blind3": DATA / "eval_blind3.csv",
}


@dataclass
class DutyListModel:
    """The demo list as ``routing_model_train`` sees it: items, their keywords (keywords + matter), owners."""

    items: list[dict]
    keywords: dict[str, list[str]]
    owners: dict[str, str]
    matcher: KeywordMatcher
    typical: list[tuple[Message, str]]  # the items' typical cases, as routing.services.list_examples gives them

    @classmethod
    def demo(cls, *, typical_cases: bool = True) -> DutyListModel:
        level3: dict[tuple[str, str], list[str]] = defaultdict(list)
        with (MESSAGES / "taxonomy.csv").open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                level3[(row["level1"].strip(), row["level2"].strip())].append(row["level3"].strip())
        items = demo_items(level3)
        keywords = {item["code"]: [*item["keywords"], item["matter"]] for item in items}
        owners = {item["code"]: item["owner"] or "district_government" for item in items}
        codes = sorted(keywords)
        matcher = KeywordMatcher({code: clean_keywords(item["keywords"]) for code, item in _by_code(items)}, codes)
        typical = [
            (Message(case["title"], case["text"]), item["code"])
            for item in items
            for case in (item["examples"] if typical_cases else [])
        ]
        return cls(items, keywords, owners, matcher, typical)

    def fit(self, messages: Sequence[Message] = (), labels: Sequence[str] = ()) -> TextClassifier:
        """As ``routing.services._fit``: keyword documents of every item, its typical cases, the decisions, keyword
        features."""
        documents, document_labels = keyword_documents(self.keywords)
        return TextClassifier().fit(
            [*documents, *(message for message, _ in self.typical), *messages],
            [*document_labels, *(code for _, code in self.typical), *labels],
            keywords=self.keywords,
        )

    def recommend(self, classifier: TextClassifier, messages: Sequence[Message]) -> list[list[tuple[str, float]]]:
        """Per message, the owners ranked with their summed probabilities (what ``recommend_many`` computes for a
        batch, without the database): probabilities, keyword evidence, item scores, owners."""
        probabilities, seen, known = classifier.predict_proba_keywords(messages)
        reuse = known.issuperset(self.matcher.keyword_classes)
        scorer = ItemScorer(classifier.classes_, self.owners)
        ranked = []
        for message, row, found in zip(messages, probabilities, seen, strict=True):
            document = message.document
            if reuse:  # the model matched on the raw text; keywords are plain Chinese words, the same either way
                words = [word for word in found if word in self.matcher.keyword_classes]
            else:
                words = self.matcher.find(normalize_for_keywords(document))
            hits = {code: self.matcher.of_class(words, code) for word in words for code in self._codes(word)}
            scores = scorer.scores(row, hits)
            ranked.append(scorer.owners(scores))
            scorer.ranked(scores, ranked[-1][0][0], 4)  # the candidates, as recommend_many lists them
        return ranked

    def _codes(self, word: str) -> list[str]:
        return [self.matcher.classes[position] for position in self.matcher.keyword_classes[word]]


def _by_code(items: list[dict]) -> list[tuple[str, dict]]:
    return sorted((item["code"], item) for item in items)


def read_eval_units(path: Path = EVAL_UNITS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def recommendation_throughput(args: argparse.Namespace, corpus: list[Message]) -> None:
    demo = DutyListModel.demo()
    started = time.perf_counter()
    classifier = demo.fit()
    fit_seconds = time.perf_counter() - started
    documents, document_labels = keyword_documents(demo.keywords)
    baseline = baseline_pipeline(
        [*documents, *(message for message, _ in demo.typical)],
        [*document_labels, *(code for _, code in demo.typical)],
    )
    texts = [message.document for message in corpus]
    print(
        f"recommendation against the demo duty list ({len(demo.items)} items, {len(documents)} keyword documents, "
        f"{len(demo.typical)} typical cases; model fit {fit_seconds:.1f} s), {len(corpus)} messages, median of "
        f"{args.runs} runs:"
    )
    baseline_rate = len(corpus) / median_seconds(lambda: baseline.predict(texts), args.runs)
    ours = len(corpus) / median_seconds(lambda: demo.recommend(classifier, corpus), args.runs)
    print(f"  baseline: char TF-IDF + LinearSVC on the same documents, predict: {baseline_rate:,.0f} messages/s")
    print(f"  recommendation for a batch (probabilities, keywords, items, owners ranked): {ours:,.0f} messages/s")
    print(f"  ratio recommendation / baseline: {ours / baseline_rate:.2f} (goal: ≥ 2,000 messages/s)")


def _folds(rows: list[dict], folds: int, seed: int = 0) -> list[int]:
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    fold_of = [0] * len(rows)
    for position, index in enumerate(order):
        fold_of[index] = position % folds
    return fold_of


def units(args: argparse.Namespace) -> None:
    path = EVAL_SETS[args.set]
    rows = read_eval_units(path)
    if args.split:
        rows = [row for row in rows if row.get("split") == args.split]
        if not rows:
            raise SystemExit(f"{path}: no row in split {args.split!r}")
    demo = DutyListModel.demo(typical_cases=args.typical)
    messages = [Message(row["title"], row["text"]) for row in rows]
    expected = [row["owner"] for row in rows]
    unknown = sorted({row["item"] for row in rows} - set(demo.owners))
    if unknown:
        raise SystemExit(f"{path}: items not in the demo list: {', '.join(unknown)}")
    started = time.perf_counter()
    classifier = demo.fit()
    ranked = demo.recommend(classifier, messages)
    print(
        f"owning-unit evaluation: {len(rows)} held-out messages ({path.name}"
        f"{', split ' + args.split if args.split else ''}), demo list of "
        f"{len(demo.items)} items, model: the list's keywords and {len(demo.typical)} typical cases "
        f"(no dispatch history), "
        f"{time.perf_counter() - started:.1f} s"
    )
    report = unit_report(expected, [[owner for owner, _ in owners] for owners in ranked])
    items_right = sum(
        max(((code, s) for code, s in zip(classifier.classes_, p, strict=True)), key=lambda pair: pair[1])[0]
        == row["item"]
        for row, p in zip(rows, classifier.predict_proba(messages), strict=True)
    )
    print(f"  unit top-1 {report.top1:.3f}, top-3 {report.top3:.3f}; duty item top-1 {items_right / len(rows):.3f}")
    print("  per owner (precision, recall, support, predicted):")
    for metrics in report.per_owner:
        print(
            f"    {metrics.owner:32} {metrics.precision:.2f}  {metrics.recall:.2f}  {metrics.support:3}  "
            f"{metrics.predicted:3}"
        )
    print("  confusions (expected → recommended: count):")
    for wanted, got, count in report.confusions(limit=20):
        print(f"    {wanted} → {got}: {count}")
    # the frozen sets are measured, never read: improvements look at dev misses only
    frozen = args.split == "test" or args.set in ("blind2", "blind3")
    if frozen:
        print("  mistakes: not listed for a frozen set (the blind test half, the second and third blind sets)")
    else:
        print("  mistakes (id, item, expected owner; the three owners recommended; title):")
    for row, owners in zip(rows if not frozen else [], ranked, strict=False):
        names = [owner for owner, _ in owners]
        if names[0] != row["owner"]:
            where = "top-3" if row["owner"] in names[:3] else "MISSED in top-3"
            shown = ", ".join(f"{owner} {score:.2f}" for owner, score in owners[:3])
            print(f"    {row['id']} {row['item']} {row['owner']} ({where}): {shown} — {row['title']}")
    raw = [owners[0][1] for owners in ranked]
    correct = [owners[0][0] == wanted for owners, wanted in zip(ranked, expected, strict=True)]
    calibration_report(raw, correct, args.folds)
    if args.curve:
        learning_curve(demo, messages, rows, args.folds)


def calibration_report(raw: list[float], correct: list[bool], folds: int) -> None:
    """As ``routing_model_train`` measures a model (``core.evaluation.out_of_fold_measure``): the Platt scaling
    and threshold chosen over every prediction, the reliability and ECE cross-fitted; then, as a check that the
    chosen threshold holds on cases it was not chosen on, a threshold chosen on the other folds applied to each."""
    fold_of = _folds([{}] * len(raw), folds)
    measured = out_of_fold_measure(raw, correct, fold_of)
    print(
        f"  calibration: ECE raw {measured.ece_raw:.3f}, Platt-calibrated (cross-fitted, {folds} folds) "
        f"{measured.ece_calibrated:.3f}"
    )
    print("  reliability (calibrated): bin, cases, mean confidence, accuracy")
    for row in reliability(measured.calibrated, correct):
        if row.count:
            print(f"    {row.low:.1f}–{row.high:.1f}  {row.count:4}  {row.mean_confidence:.3f}  {row.accuracy:.3f}")
    whole = measured.choice
    if whole:
        print(
            f"  auto-dispatch threshold over all {len(raw)} (the rule of routing_model_train): {whole.threshold:.3f}; "
            f"at it {whole.cases}/{len(raw)} cases would be dispatched automatically (share {whole.share:.0%}), "
            f"measured precision {whole.precision:.3f} (95 % lower bound {whole.lower_bound:.3f})"
        )
    else:
        print(f"  auto-dispatch threshold over all {len(raw)}: none — the precision's lower bound never reaches 0.95")
    taken: list[bool] = [False] * len(raw)
    thresholds = []
    for fold in range(folds):
        train = [i for i in range(len(raw)) if fold_of[i] != fold]
        platt = PlattScaling().fit([raw[i] for i in train], [correct[i] for i in train])
        choice = threshold_for_precision([platt(raw[i]) for i in train], [correct[i] for i in train])
        thresholds.append(choice.threshold if choice else None)
        for i in range(len(raw)):
            if fold_of[i] == fold:
                taken[i] = choice is not None and platt(raw[i]) >= choice.threshold
    chosen = sum(taken)
    right = sum(ok for ok, take in zip(correct, taken, strict=True) if take)
    shown = ", ".join("—" if t is None else f"{t:.3f}" for t in thresholds)
    print(
        f"  check, threshold chosen on the other folds ({shown}) applied to the held one: {chosen}/{len(raw)} taken "
        f"({chosen / len(raw):.0%}), precision {right / max(chosen, 1):.3f} ({chosen - right} wrong)"
    )


def learning_curve(demo: DutyListModel, messages: list[Message], rows: list[dict], folds: int) -> None:
    """Accuracy on each held fold after N dispatcher decisions (the items they chose) from the other folds, up to
    all of them. Each step refits one model per fold (the 102-item calibrated model: seconds each), so the steps
    are few — 0, a quarter, a half, three quarters, all — and each prints its time as it finishes."""
    fold_of = _folds(rows, folds)
    pools = []
    for fold in range(folds):
        pool = [i for i in range(len(rows)) if fold_of[i] != fold]
        random.Random(fold).shuffle(pool)  # the order in which the decisions arrive, the same at every step
        pools.append(pool)
    smallest = min(len(pool) for pool in pools)
    steps: list[int | None] = [*sorted({0, smallest // 4, smallest // 2, 3 * smallest // 4}), None]  # None: all
    print(f"  learning from dispatcher decisions ({folds} folds; decisions drawn from the other folds):")
    for step in steps:
        started = time.perf_counter()
        top1 = top3 = learnt = 0
        for fold in range(folds):
            chosen = pools[fold] if step is None else pools[fold][:step]
            learnt += len(chosen)
            held = [i for i in range(len(rows)) if fold_of[i] == fold]
            classifier = demo.fit([messages[i] for i in chosen], [rows[i]["item"] for i in chosen])
            ranked = demo.recommend(classifier, [messages[i] for i in held])
            for i, owners in zip(held, ranked, strict=True):
                names = [owner for owner, _ in owners]
                top1 += names[0] == rows[i]["owner"]
                top3 += rows[i]["owner"] in names[:3]
        label = f"{step:3}" if step is not None else f"all ({learnt / folds:.0f} on average)"
        print(
            f"    after {label} decisions: unit top-1 {top1 / len(rows):.3f}, top-3 {top3 / len(rows):.3f} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )


def worker(args: argparse.Namespace) -> None:
    """Intake rate and the background routing's rate on the demo organisation, same run."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _django

    _django.setup()
    from huey.contrib.djhuey import HUEY

    from bench_cases import build_world, intake_payloads
    from fuhe.cases.models import Case
    from fuhe.cases.services.intake import case_create
    from fuhe.org.models import Region
    from fuhe.routing.services import ROUTE_BATCH, auto_dispatch_threshold, cases_route, recommend_many

    started = time.perf_counter()
    world = build_world(SHARED / "divisions")
    print(f"demo organisation, duty list and first model built in {time.perf_counter() - started:.0f} s")
    Case.objects.filter(state="received", routing={}).update(routing={"decision": "bench: not measured"})
    payloads = intake_payloads(world, args.cases)
    regions = {r.id: r for r in Region.objects.filter(id__in={p["region"] for p in payloads})}
    started = time.perf_counter()
    pks = [
        case_create(
            actor=None,
            channel="api",
            text=p["text"],
            title=p["title"],
            address=p["address"],
            region=regions[p["region"]],
            request_type=p["request_type"],
            reporter_phone=p["reporter_phone"],
        ).case.pk
        for p in payloads
    ]
    intake = len(pks) / (time.perf_counter() - started)
    HUEY.flush()
    cases = list(Case.objects.filter(pk__in=pks).select_related("region", "category").order_by("pk"))
    started = time.perf_counter()
    for start in range(0, len(cases), ROUTE_BATCH):
        recommend_many(cases[start : start + ROUTE_BATCH])
    recommending = len(cases) / (time.perf_counter() - started)
    started = time.perf_counter()
    routed = cases_route()
    routing = routed / (time.perf_counter() - started)
    auto = Case.objects.filter(pk__in=pks, routing__decision="auto_dispatched").count()
    print(f"  intake (case_create, routing queued): {intake:,.0f} cases/s ({len(pks):,} cases)")
    print(
        f"  recommendation for a batch (recommend_many, {ROUTE_BATCH} per batch, no writes): "
        f"{recommending:,.0f} cases/s"
    )
    print(
        f"  background routing (cases_route: recommend, store the note, auto-dispatch): {routing:,.0f} cases/s "
        f"({routed:,} cases); ratio routing / intake {routing / intake:.2f}"
    )
    print(f"  auto-dispatched: {auto:,} of {len(pks):,} ({auto / len(pks):.0%}), threshold {auto_dispatch_threshold()}")


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
    parser.add_argument("--units", action="store_true", help="the owning-unit evaluation on eval_units.csv")
    parser.add_argument("--set", choices=sorted(EVAL_SETS), default="units", help="the labelled set for --units")
    parser.add_argument("--split", default="", help="only the rows of this split (eval_blind: dev or test)")
    parser.add_argument("--no-curve", dest="curve", action="store_false", help="--units without the learning curve")
    parser.add_argument(
        "--no-typical", dest="typical", action="store_false", help="--units without the items' typical cases"
    )
    parser.add_argument("--worker", action="store_true", help="the background routing rate beside intake")
    parser.add_argument("--cases", type=int, default=2000, help="cases received for --worker")
    args = parser.parse_args()
    if args.cv:
        variants(args)
    elif args.units:
        units(args)
    elif args.worker:
        worker(args)
    else:
        throughput(args)


if __name__ == "__main__":
    main()
