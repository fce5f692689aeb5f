"""Route citizen messages to first-level categories with a small, fast, framework-free text classifier.

The model (chosen by repeated stratified 5-fold cross-validation, see ``docs/routing-evaluation.md``):

* character 1–2-gram TF-IDF of the title and of the body, as two separate blocks;
* "cold start" knowledge: every keyword of a class (the taxonomy's level-1/2/3 names, or a duty list's
  keywords) becomes a tiny extra training document of that class, and the number of distinct keywords of
  each class found in a message is an extra feature;
* a linear SVM with balanced class weights, calibrated by Platt scaling (sigmoid) so callers get a
  confidence and ranked alternatives.

Everything here is plain Python + scikit-learn; nothing imports Django, nothing is downloaded at run time.
"""

from __future__ import annotations

import csv
import functools
import logging
import operator
import pickle
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.svm import LinearSVC

from fuhe.duties.core.keywords import MIN_KEYWORD_LENGTH, clean_keywords

FORMAT_NAME = "fuhe.routing.TextClassifier"
FORMAT_VERSION = 1
MESSAGE_COLUMNS = ("title", "text")
LABEL_COLUMN = "label"
TAXONOMY_COLUMNS = ("level1", "level2", "level3")
# Level names that say nothing about the class ("other") and are never used as keywords.


# --------------------------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Message:
    title: str
    text: str

    @property
    def document(self) -> str:
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]]
    matched_keywords: list[str]


@dataclass(frozen=True)
class ClassifierConfig:
    """How features are built and which linear model is trained. The defaults are the chosen model."""

    char_ngram_range: tuple[int, int] = (1, 2)
    separate_title: bool = True
    title_weight: float = 1.0
    word_ngrams: bool = False
    sublinear_tf: bool = False
    keyword_document_weight: float = 1.0
    keyword_feature_weight: float = 0.2
    class_weight: Literal["balanced"] | None = "balanced"
    svm_c: float = 1.0
    calibrate: bool = True
    calibration_folds: int = 5
    calibration_ensemble: bool = False


CHOSEN = ClassifierConfig()
BASELINE = ClassifierConfig(
    char_ngram_range=(1, 1),
    separate_title=False,
    keyword_document_weight=0.0,
    keyword_feature_weight=0.0,
    class_weight=None,
    calibrate=False,
)
_NO_KEYWORDS: dict[str, Any] = {"keyword_document_weight": 0.0, "keyword_feature_weight": 0.0}
_STEP = ClassifierConfig(class_weight=None, calibrate=False, **_NO_KEYWORDS)  # title/body char 1–2-grams

# The variants compared in docs/routing-evaluation.md, in the order they were tried.
VARIANTS: dict[str, ClassifierConfig] = {
    "baseline": BASELINE,
    "char-1-2": ClassifierConfig(separate_title=False, class_weight=None, calibrate=False, **_NO_KEYWORDS),
    "char-1-3": ClassifierConfig(
        char_ngram_range=(1, 3), separate_title=False, class_weight=None, calibrate=False, **_NO_KEYWORDS
    ),
    "char-1-2-sublinear": ClassifierConfig(
        separate_title=False, sublinear_tf=True, class_weight=None, calibrate=False, **_NO_KEYWORDS
    ),
    "title-body": _STEP,
    "title-body-title-x2": ClassifierConfig(title_weight=2.0, class_weight=None, calibrate=False, **_NO_KEYWORDS),
    "title-body+words": ClassifierConfig(word_ngrams=True, class_weight=None, calibrate=False, **_NO_KEYWORDS),
    "title-body+balanced": ClassifierConfig(calibrate=False, **_NO_KEYWORDS),
    "+keyword-docs": ClassifierConfig(class_weight=None, calibrate=False, keyword_feature_weight=0.0),
    "+keyword-docs+balanced": ClassifierConfig(calibrate=False, keyword_feature_weight=0.0),
    "+keyword-docs+balanced+keyword-features": ClassifierConfig(calibrate=False),
    "+keyword-docs+balanced+keyword-features+words": ClassifierConfig(calibrate=False, word_ngrams=True),
    "+sigmoid calibration, 5 fold models averaged": ClassifierConfig(calibration_ensemble=True),
    "chosen: +sigmoid calibration, one model": CHOSEN,
}


class CsvFormatError(ValueError):
    """A CSV file that cannot be used, with the file, line (1-based, physical) and column at fault."""

    def __init__(self, path: Path | str, line: int, column: str, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(f"{self.path}: line {line}, column '{column}': {problem}")


# --------------------------------------------------------------------------------------------- CSV I/O


@dataclass(frozen=True)
class MessageTable:
    """The rows of a message CSV, kept with their column order so they can be written back."""

    path: Path
    fieldnames: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    line_numbers: tuple[int, ...]

    @property
    def messages(self) -> list[Message]:
        return [Message(title=row["title"], text=row["text"]) for row in self.rows]


def _check_header(path: Path, header: list[str], required: Sequence[str]) -> None:
    for column in required:
        if column not in header:
            found = ", ".join(header) if header else "nothing"
            raise CsvFormatError(path, 1, column, f"missing required column (header has: {found})")


def read_message_table(path: Path | str, *, required: Sequence[str] = MESSAGE_COLUMNS) -> MessageTable:
    """Read a CSV (UTF-8, optional BOM) whose header contains at least ``required`` columns."""
    path = Path(path)
    rows: list[dict[str, str]] = []
    line_numbers: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise CsvFormatError(path, 1, required[0], "file is empty; expected a header row")
            header = [name.strip() for name in header]
            _check_header(path, header, required)
            last_line = reader.line_num
            for record in reader:
                first_line, last_line = last_line + 1, reader.line_num
                if not record:
                    continue
                rows.append(_row_dict(path, first_line, header, record))
                line_numbers.append(first_line)
        except UnicodeDecodeError as error:
            raise CsvFormatError(path, reader.line_num + 1, "*", f"not valid UTF-8 ({error.reason})") from error
        except csv.Error as error:
            raise CsvFormatError(path, reader.line_num, "*", f"malformed CSV ({error})") from error
    return MessageTable(path, tuple(header), tuple(rows), tuple(line_numbers))


def _row_dict(path: Path, line: int, header: list[str], record: list[str]) -> dict[str, str]:
    if len(record) < len(header):
        raise CsvFormatError(
            path, line, header[len(record)], f"row has {len(record)} fields, the header has {len(header)}"
        )
    if len(record) > len(header):
        raise CsvFormatError(
            path, line, f"#{len(header) + 1}", f"row has {len(record)} fields, the header has {len(header)}"
        )
    return dict(zip(header, record, strict=True))


def read_labelled_csv(path: Path | str) -> tuple[list[Message], list[str]]:
    """Messages and their labels from a CSV with (at least) the columns ``title``, ``text`` and ``label``."""
    table = read_message_table(path, required=(*MESSAGE_COLUMNS, LABEL_COLUMN))
    labels = []
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        label = row[LABEL_COLUMN].strip()
        if not label:
            raise CsvFormatError(table.path, line, LABEL_COLUMN, "empty label")
        labels.append(label)
    return table.messages, labels


def write_labelled_csv(path: Path | str, table: MessageTable, labels: Sequence[str]) -> None:
    """Write ``table``'s rows (same column order) with ``label`` added as the last column or overwritten."""
    if len(labels) != len(table.rows):
        raise ValueError(f"{len(labels)} labels for {len(table.rows)} rows")
    fieldnames = list(table.fieldnames)
    if LABEL_COLUMN not in fieldnames:
        fieldnames.append(LABEL_COLUMN)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        for row, label in zip(table.rows, labels, strict=True):
            writer.writerow({**row, LABEL_COLUMN: label})


def load_taxonomy_keywords(path: Path | str) -> dict[str, list[str]]:
    """Level-1 category → its own name and the names of its level-2/level-3 categories (no "其他")."""
    table = read_message_table(path, required=TAXONOMY_COLUMNS)
    keywords: dict[str, list[str]] = {}
    for row, line in zip(table.rows, table.line_numbers, strict=True):
        level1 = row["level1"].strip()
        if not level1:
            raise CsvFormatError(table.path, line, "level1", "empty level-1 category")
        names = keywords.setdefault(level1, [])
        for name in (level1, row["level2"].strip(), row["level3"].strip()):
            if name and name not in names:
                names.append(name)
    return {level1: clean_keywords(names) for level1, names in keywords.items()}


def merge_keywords(*sources: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Merge keyword lists per class, e.g. the taxonomy's with a duty list's."""
    merged: dict[str, list[str]] = {}
    for source in sources:
        for label, keywords in source.items():
            merged[label] = clean_keywords([*merged.get(label, []), *keywords])
    return merged


# --------------------------------------------------------------------------------------------- features


@functools.cache
def _jieba() -> Any:
    """Import and initialise jieba once per process, quietly (its dictionary load takes about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def jieba_words(text: str) -> list[str]:
    """Word unigrams by jieba's precise mode without HMM (a module-level function so models pickle)."""
    return [word for word in _jieba().lcut(text, HMM=False) if not word.isspace()]


class KeywordMatcher:
    """Finds class keywords (all at least two characters long) in text.

    Keywords are bucketed by their first two characters; a text is only searched for the keywords whose
    first two characters occur in it as a bigram, which keeps matching exact and fast.
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]], classes: Sequence[str]) -> None:
        index = {label: position for position, label in enumerate(classes)}
        self.classes = tuple(classes)
        self.keyword_classes: dict[str, tuple[int, ...]] = {}
        for label, words in keywords.items():
            for word in words:
                if len(word) < MIN_KEYWORD_LENGTH:
                    raise ValueError(f"keyword {word!r} of {label!r} is shorter than {MIN_KEYWORD_LENGTH}")
                self.keyword_classes[word] = (*self.keyword_classes.get(word, ()), index[label])
        self._by_prefix: dict[str, list[str]] = {}
        for word in self.keyword_classes:
            self._by_prefix.setdefault(word[:MIN_KEYWORD_LENGTH], []).append(word)

    def find(self, text: str) -> list[str]:
        """Distinct keywords occurring in ``text``, in order of first occurrence (longer first on ties)."""
        if not self._by_prefix:
            return []
        bigrams = set(map(operator.add, text, text[1:]))
        found = [
            word for prefix in bigrams.intersection(self._by_prefix) for word in self._by_prefix[prefix] if word in text
        ]
        return sorted(found, key=lambda word: (text.find(word), -len(word), word))

    def counts(self, found: Sequence[Sequence[str]]) -> np.ndarray:
        """Per message, the number of distinct keywords of each class among ``found``."""
        rows, columns = [], []
        for row, words in enumerate(found):
            for word in words:
                for column in self.keyword_classes[word]:
                    rows.append(row)
                    columns.append(column)
        matrix = np.zeros((len(found), len(self.classes)))
        np.add.at(matrix, (np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64)), 1)
        return matrix

    def of_class(self, words: Sequence[str], label: str) -> list[str]:
        position = self.classes.index(label)
        return [word for word in words if position in self.keyword_classes[word]]


def _vectorizer(config: ClassifierConfig, *, words: bool) -> TfidfVectorizer:
    if words:
        return TfidfVectorizer(analyzer=jieba_words, sublinear_tf=config.sublinear_tf)
    return TfidfVectorizer(analyzer="char", ngram_range=config.char_ngram_range, sublinear_tf=config.sublinear_tf)


_WHITE_SPACES = re.compile(r"\s\s+")


class CharNgramTransformer:
    """The ``transform`` of a fitted character 1–2-gram ``TfidfVectorizer``, vectorised with numpy: the same
    matrix (same preprocessing, vocabulary, idf and norm) several times faster, because scikit-learn counts
    n-grams in a Python loop. A batch becomes one array of code points; unigrams are looked up in a table by
    code point, bigrams of the ``DENSE_CHARACTERS`` most frequent characters (lowest idf) in a square table, the
    rest by binary search in the sorted keys of the remaining bigrams."""

    DENSE_CHARACTERS = 1024

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        unigrams = {term: column for term, column in vectorizer.vocabulary_.items() if len(term) == 1}
        bigrams = {term: column for term, column in vectorizer.vocabulary_.items() if len(term) == 2}
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        characters = {character for term in bigrams for character in term} | set(unigrams)
        # frequent characters first: a character without a unigram column goes last
        ordered = sorted(characters, key=lambda c: (idf[unigrams[c]] if c in unigrams else np.inf, c))
        top = max([ord(c) for c in characters], default=0) + 1
        self.unigram = np.full(top, -1, dtype=np.int64)
        for character, column in unigrams.items():
            self.unigram[ord(character)] = column
        self.rank = np.full(top, -1, dtype=np.int64)
        for position, character in enumerate(ordered):
            self.rank[ord(character)] = position
        self.dense = min(len(ordered), self.DENSE_CHARACTERS)
        self.square = np.full(self.dense * self.dense, -1, dtype=np.int64)
        self.width_ranks = max(len(ordered), 1)
        rest_keys, rest_columns = [], []
        for term, column in bigrams.items():
            first, second = (int(self.rank[ord(c)]) for c in term)
            if first < self.dense and second < self.dense:
                self.square[first * self.dense + second] = column
            else:
                rest_keys.append(first * self.width_ranks + second)
                rest_columns.append(column)
        order = np.argsort(np.asarray(rest_keys, dtype=np.int64))
        self.rest_keys = np.asarray(rest_keys, dtype=np.int64)[order]
        self.rest_columns = np.asarray(rest_columns, dtype=np.int64)[order]
        self.idf = idf
        self.width = len(vectorizer.vocabulary_)
        self.bigrams = vectorizer.ngram_range[1] >= 2

    @staticmethod
    def is_usable(vectorizer: TfidfVectorizer) -> bool:
        """Only the configuration this reproduces exactly: characters, 1–1 or 1–2-grams, lower case, raw tf, l2."""
        return (
            vectorizer.analyzer == "char"
            and vectorizer.ngram_range in ((1, 1), (1, 2))
            and vectorizer.lowercase
            and vectorizer.preprocessor is None
            and vectorizer.strip_accents is None
            and not vectorizer.sublinear_tf
            and vectorizer.use_idf
            and vectorizer.norm == "l2"
            and not vectorizer.binary
            and hasattr(vectorizer, "idf_")
        )

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = [_WHITE_SPACES.sub(" ", text.lower()) for text in texts]
        lengths = np.fromiter(map(len, cleaned), dtype=np.int64, count=len(cleaned))
        codes = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        rows = np.repeat(np.arange(len(cleaned), dtype=np.int64), lengths)
        codes[codes >= len(self.unigram)] = 0  # beyond every known character: looked up as NUL, never in a vocabulary
        columns = [self.unigram[codes]]
        column_rows = [rows]
        if self.bigrams and len(codes) > 1:
            ranks = self.rank[codes]
            first, second = ranks[:-1], ranks[1:]
            pair = (rows[:-1] == rows[1:]) & (first >= 0) & (second >= 0)
            pair_rows, first, second = rows[:-1][pair], first[pair], second[pair]
            dense = (first < self.dense) & (second < self.dense)
            columns.append(self.square[first[dense] * self.dense + second[dense]])
            column_rows.append(pair_rows[dense])
            if len(self.rest_keys):
                keys = first[~dense] * self.width_ranks + second[~dense]
                found = np.searchsorted(self.rest_keys, keys)
                found[found == len(self.rest_keys)] = 0
                known = self.rest_keys[found] == keys
                columns.append(np.where(known, self.rest_columns[found], -1))
                column_rows.append(pair_rows[~dense])
        all_columns, all_rows = np.concatenate(columns), np.concatenate(column_rows)
        known = all_columns >= 0
        matrix = sp.csr_matrix(
            (np.ones(int(known.sum())), (all_rows[known], all_columns[known])),
            shape=(len(cleaned), self.width),
            dtype=np.float64,
        )
        matrix.sum_duplicates()
        matrix.data *= self.idf[matrix.indices]
        norms = np.sqrt(
            np.bincount(
                np.repeat(np.arange(len(cleaned)), np.diff(matrix.indptr)), matrix.data**2, minlength=len(cleaned)
            )
        )
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))
        return matrix


@dataclass
class _Block:
    """One TF-IDF block: which field it reads, its weight and its vectorizer."""

    field: Literal["title", "text", "document"]
    weight: float
    vectorizer: TfidfVectorizer

    def texts(self, messages: Sequence[Message]) -> list[str]:
        if self.field == "document":
            return [message.document for message in messages]
        return [getattr(message, self.field) for message in messages]

    def transform(self, messages: Sequence[Message]) -> sp.csr_matrix:
        """The fitted vectorizer's matrix, through the fast path when it applies (built on first use)."""
        if "_fast" not in self.__dict__:
            usable = CharNgramTransformer.is_usable(self.vectorizer)
            self.__dict__["_fast"] = CharNgramTransformer(self.vectorizer) if usable else None
        fast: CharNgramTransformer | None = self.__dict__["_fast"]
        if fast is not None:
            return fast.transform(self.texts(messages))
        return self.vectorizer.transform(self.texts(messages))


def _blocks(config: ClassifierConfig) -> list[_Block]:
    kinds = [False, True] if config.word_ngrams else [False]
    blocks = []
    for words in kinds:
        if config.separate_title:
            blocks.append(_Block("title", config.title_weight, _vectorizer(config, words=words)))
            blocks.append(_Block("text", 1.0, _vectorizer(config, words=words)))
        else:
            blocks.append(_Block("document", 1.0, _vectorizer(config, words=words)))
    return blocks


# --------------------------------------------------------------------------------------------- classifier


@dataclass
class _Fitted:
    classes: tuple[str, ...]
    blocks: list[_Block]
    matcher: KeywordMatcher
    model: LinearSVC | CalibratedClassifierCV
    calibrated: bool
    n_training_messages: int
    n_keyword_documents: int
    ignored_keyword_classes: tuple[str, ...]
    sklearn_version: str = field(default=sklearn.__version__)


class TextClassifier:
    """Fit on labelled messages (plus optional class keywords), then predict labels with confidences."""

    def __init__(self, config: ClassifierConfig | None = None) -> None:
        self.config = config or CHOSEN
        self._fitted: _Fitted | None = None

    # ----- training

    def fit(
        self,
        messages: Sequence[Message],
        labels: Sequence[str],
        *,
        keywords: Mapping[str, Sequence[str]] | None = None,
    ) -> Self:
        """Train. Keywords of classes absent from ``labels`` are ignored (the model cannot predict them)."""
        if len(messages) != len(labels):
            raise ValueError(f"{len(messages)} messages but {len(labels)} labels")
        classes = tuple(sorted(set(labels)))
        if len(classes) < 2:
            raise ValueError("training needs messages of at least two different labels")
        usable = {label: clean_keywords(words) for label, words in (keywords or {}).items() if label in classes}
        ignored = tuple(sorted(set(keywords or {}) - set(classes)))
        documents, document_labels = self._keyword_documents(usable)
        all_messages = [*messages, *documents]
        all_labels = [*labels, *document_labels]
        weights = np.array([1.0] * len(messages) + [self.config.keyword_document_weight] * len(documents))
        matcher = KeywordMatcher(usable, classes)
        blocks = _blocks(self.config)
        features = self._features(blocks, matcher, all_messages, fit=True)[0]
        model, calibrated = self._train(features, np.array(all_labels), weights)
        self._fitted = _Fitted(classes, blocks, matcher, model, calibrated, len(messages), len(documents), ignored)
        return self

    def _keyword_documents(self, keywords: Mapping[str, Sequence[str]]) -> tuple[list[Message], list[str]]:
        if self.config.keyword_document_weight <= 0:
            return [], []
        pairs = [(Message(word, word), label) for label, words in keywords.items() for word in words]
        return [message for message, _ in pairs], [label for _, label in pairs]

    def _train(
        self,
        features: sp.csr_matrix,
        labels: np.ndarray,
        weights: np.ndarray,
    ) -> tuple[LinearSVC | CalibratedClassifierCV, bool]:
        svm = LinearSVC(C=self.config.svm_c, class_weight=self.config.class_weight, random_state=0)
        smallest_class = min(np.unique(labels, return_counts=True)[1])
        folds = min(self.config.calibration_folds, int(smallest_class))
        if not self.config.calibrate or folds < 2:
            return svm.fit(features, labels, sample_weight=weights), False
        calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=self.config.calibration_ensemble)
        return calibrated.fit(features, labels, sample_weight=weights), True

    def _features(
        self,
        blocks: Sequence[_Block],
        matcher: KeywordMatcher,
        messages: Sequence[Message],
        *,
        fit: bool,
    ) -> tuple[sp.csr_matrix, list[list[str]]]:
        """The feature matrix and, per message, the keywords found in it."""
        parts = []
        for block in blocks:
            matrix = block.vectorizer.fit_transform(block.texts(messages)) if fit else block.transform(messages)
            parts.append(matrix * block.weight if block.weight != 1.0 else matrix)
        found = [matcher.find(message.document) for message in messages]
        if self.config.keyword_feature_weight > 0:
            counts = np.log1p(matcher.counts(found)) * self.config.keyword_feature_weight
            parts.append(sp.csr_matrix(counts))
        return sp.hstack(parts, format="csr"), found

    # ----- prediction

    def predict(self, messages: Sequence[Message], *, top_k: int = 3) -> list[Prediction]:
        """Label, confidence, up to ``top_k`` alternatives (best first) and the label's keywords found."""
        fitted = self._require_fitted()
        probabilities, found = self._probabilities(fitted, messages)
        predictions = []
        for row, words in zip(probabilities, found, strict=True):
            order = np.argsort(-row, kind="stable")
            label = fitted.classes[order[0]]
            alternatives = [(fitted.classes[index], float(row[index])) for index in order[1 : top_k + 1]]
            predictions.append(
                Prediction(label, float(row[order[0]]), alternatives, fitted.matcher.of_class(words, label))
            )
        return predictions

    def predict_labels(self, messages: Sequence[Message]) -> list[str]:
        fitted = self._require_fitted()
        probabilities, _ = self._probabilities(fitted, messages)
        return [fitted.classes[index] for index in probabilities.argmax(axis=1)]

    def predict_proba_keywords(self, messages: Sequence[Message]) -> tuple[np.ndarray, list[list[str]], frozenset]:
        """``predict_proba``, the keywords (of any class) found in each message's document as the features saw
        them, and every keyword the model knows — so a caller can reuse the matches instead of searching again."""
        fitted = self._require_fitted()
        probabilities, found = self._probabilities(fitted, messages)
        return probabilities, found, frozenset(fitted.matcher.keyword_classes)

    def predict_proba(self, messages: Sequence[Message]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_`` (softmax scores if uncalibrated)."""
        return self._probabilities(self._require_fitted(), messages)[0]

    def _probabilities(self, fitted: _Fitted, messages: Sequence[Message]) -> tuple[np.ndarray, list[list[str]]]:
        if not messages:
            return np.zeros((0, len(fitted.classes))), []
        features, found = self._features(fitted.blocks, fitted.matcher, messages, fit=False)
        if fitted.calibrated:
            return fitted.model.predict_proba(features), found
        return _softmax(_decision_matrix(fitted.model.decision_function(features))), found

    # ----- introspection

    def _require_fitted(self) -> _Fitted:
        if self._fitted is None:
            raise RuntimeError("TextClassifier is not fitted; call fit() or from_bytes() first")
        return self._fitted

    @property
    def is_fitted(self) -> bool:
        return self._fitted is not None

    @property
    def classes_(self) -> tuple[str, ...]:
        return self._require_fitted().classes

    @property
    def n_training_messages_(self) -> int:
        return self._require_fitted().n_training_messages

    @property
    def n_keyword_documents_(self) -> int:
        return self._require_fitted().n_keyword_documents

    @property
    def ignored_keyword_classes_(self) -> tuple[str, ...]:
        """Classes that had keywords but no training message, so they are not predicted."""
        return self._require_fitted().ignored_keyword_classes

    @property
    def sklearn_version_(self) -> str:
        return self._require_fitted().sklearn_version

    # ----- storage

    def to_bytes(self) -> bytes:
        """A versioned pickle of the fitted model, for the platform's own model storage."""
        payload = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "config": self.config,
            "fitted": self._require_fitted(),
        }
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """Load a model written by :meth:`to_bytes`. Only ever pass bytes from the platform's own storage:
        unpickling runs code, so untrusted input must never reach this method."""
        payload = pickle.loads(data)  # noqa: S301 - models are only loaded from the platform's own storage
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
            raise ValueError("not a serialised fuhe routing model")
        if payload.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"routing model format version {payload.get('version')} is not supported "
                f"(this code reads version {FORMAT_VERSION}); retrain the model"
            )
        classifier = cls(payload["config"])
        classifier._fitted = payload["fitted"]
        return classifier


def _decision_matrix(scores: np.ndarray) -> np.ndarray:
    """Decision scores as one column per class, also for two classes (where sklearn returns one column)."""
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvaluationReport:
    accuracy: float
    macro_f1: float
    per_class: tuple[ClassMetrics, ...]

    @property
    def support(self) -> int:
        return sum(metrics.support for metrics in self.per_class)

    def format(self) -> str:
        header = ("label", "precision", "recall", "f1", "support")
        rows = [
            (m.label, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", str(m.support)) for m in self.per_class
        ]
        table = _format_table(header, rows)
        return f"messages: {self.support}\naccuracy: {self.accuracy:.4f}\nmacro-F1: {self.macro_f1:.4f}\n\n{table}"


def evaluate(y_true: Sequence[str], y_pred: Sequence[str]) -> EvaluationReport:
    """Accuracy, macro-F1 (over the labels seen in either sequence) and per-class figures."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("nothing to evaluate")
    labels = sorted(set(y_true) | set(y_pred))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = tuple(
        ClassMetrics(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    )
    macro = float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))
    return EvaluationReport(float(accuracy_score(y_true, y_pred)), macro, per_class)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_display_width(row[column]) for row in [header, *rows]) for column in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0] + " " * (widths[0] - _display_width(cells[0]))
        rest = [" " * (width - _display_width(cell)) + cell for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


@dataclass(frozen=True)
class CrossValidationResult:
    scores: tuple[float, ...]
    folds: int
    repeats: int

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores)

    @property
    def std(self) -> float:
        return statistics.pstdev(self.scores)

    def format(self) -> str:
        return (
            f"macro-F1 {self.mean:.4f} ± {self.std:.4f} (sd over {len(self.scores)} folds: "
            f"{self.repeats} × stratified {self.folds}-fold)"
        )


def cross_validate(
    messages: Sequence[Message],
    labels: Sequence[str],
    *,
    config: ClassifierConfig | None = None,
    keywords: Mapping[str, Sequence[str]] | None = None,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
) -> CrossValidationResult:
    """Macro-F1 of each test fold of repeated stratified k-fold cross-validation."""
    smallest_class = min(np.unique(np.asarray(labels), return_counts=True)[1]) if labels else 0
    if folds < 2 or repeats < 1 or smallest_class < folds:
        raise ValueError(
            f"cannot run {repeats} × {folds}-fold cross-validation: need folds ≥ 2, repeats ≥ 1 "
            f"and at least {folds} messages of every label (smallest label has {smallest_class})"
        )
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    label_array = np.asarray(labels)
    scores = []
    for train, test in splitter.split(np.zeros(len(labels)), label_array):
        model = TextClassifier(config).fit([messages[i] for i in train], label_array[train].tolist(), keywords=keywords)
        predicted = model.predict_labels([messages[i] for i in test])
        scores.append(f1_score(label_array[test], predicted, average="macro", zero_division=0))
    return CrossValidationResult(tuple(float(score) for score in scores), folds, repeats)
