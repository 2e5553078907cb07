"""Train and evaluate the triage model from labelled examples.

The labels live in `labels/` (row numbers of ../shared/data/online_shopping_reviews.csv
plus our own labels, and texts we wrote ourselves); the review texts are read from the
shared data directory when it is present. `train` takes extra examples — agents'
overrides fed back by the retraining service — on top of the base labels.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from aftersales.disputes.taxonomy import Category, Severity
from aftersales.triage.classifier import META_FILE, MODEL_DIR, MODEL_FILE, TriageModel
from aftersales.triage.rules import normalise

LABELS_DIR = Path(__file__).resolve().parent / "labels"
REVIEWS_LABELS = LABELS_DIR / "reviews.csv"
WRITTEN_LABELS = LABELS_DIR / "written.csv"
REVIEWS_FILE = "online_shopping_reviews.csv"
CATEGORIES: tuple[str, ...] = tuple(c.value for c in Category)
SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)

# Chosen by 5-fold cross-validation on the training split (docs/triage.md).
NGRAMS = (1, 3)
MIN_DF = 2
C = 10.0
FEEDBACK_WEIGHT = 2.0  # an agent's override counts twice a base label
SECONDARY_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


class SharedDataMissing(FileNotFoundError):
    pass


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    secondary: tuple[str, ...] = ()
    severity: str = Severity.GENERAL.value
    escalation_risk: bool = False
    source: str = ""  # "reviews:<row>", "written", "feedback:<dispute>" …


def shared_dir() -> Path:
    """AFTERSALES_SHARED_DIR, else the `shared` directory beside the repository."""
    env = os.environ.get("AFTERSALES_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared"


def reviews_path(shared: Path | None = None) -> Path:
    return (shared or shared_dir()) / "data" / REVIEWS_FILE


def read_reviews(path: Path) -> dict[int, str]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as f:
        return {int(r["row"]): r["review"] for r in csv.DictReader(f)}


def _secondary(value: str) -> tuple[str, ...]:
    return tuple(s for s in value.split(";") if s)


def load_written() -> list[Example]:
    with WRITTEN_LABELS.open(encoding="utf-8", newline="") as f:
        return [
            Example(
                text=r["text"],
                category=r["category"],
                secondary=_secondary(r["secondary"]),
                severity=r["severity"],
                escalation_risk=r["escalation_risk"] == "1",
                source="written",
            )
            for r in csv.DictReader(f)
        ]


def load_labelled(shared: Path | None = None) -> tuple[list[Example], list[Example]]:
    """(train, eval): the labelled reviews by split; train also holds our written texts.
    Raises SharedDataMissing when the review texts are not on this machine."""
    path = reviews_path(shared)
    if not path.exists():
        raise SharedDataMissing(
            f"找不到评价语料 {path}：训练和评估需要 ../shared/data（或设置 AFTERSALES_SHARED_DIR）"
        )
    texts = read_reviews(path)
    train: list[Example] = []
    evaluation: list[Example] = []
    with REVIEWS_LABELS.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            row = int(r["row"])
            example = Example(
                text=texts[row],
                category=r["category"],
                secondary=_secondary(r["secondary"]),
                severity=r["severity"],
                escalation_risk=r["escalation_risk"] == "1",
                source=f"reviews:{row}",
            )
            (evaluation if r["split"] == "eval" else train).append(example)
    return train + load_written(), evaluation


def _fit(texts: Sequence[str], labels: Sequence[str], weights: np.ndarray) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=NGRAMS, min_df=MIN_DF, sublinear_tf=True, dtype=np.float32
    )
    matrix = vectorizer.fit_transform(texts)
    # Balanced weights: the rarer categories (缺货, 维修) matter as much as 质量.
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit(matrix, labels, sample_weight=weights)
    return vectorizer, model


def _artifact(vectorizer: Any, model: Any, threshold: float, version: str = "") -> dict[str, Any]:
    return {
        "vectorizer": vectorizer,
        "model": model,
        "secondary_threshold": threshold,
        "version": version,
    }


def _tune_secondary(examples: Sequence[Example], weights: np.ndarray, folds: int) -> float:
    """The secondary-category threshold that best reproduces the labelled severity
    (complex ⇔ a second category) on held-out folds of the training data."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([e.category for e in examples])
    texts = [normalise(e.text) for e in examples]
    scores = dict.fromkeys(SECONDARY_THRESHOLDS, 0)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(texts, labels):
        vectorizer, model = _fit(
            [texts[i] for i in train_idx], labels[train_idx], weights[train_idx]
        )
        for t in SECONDARY_THRESHOLDS:
            held = TriageModel(_artifact(vectorizer, model, t))
            results = held.classify_many([examples[i].text for i in test_idx])
            scores[t] += sum(
                r.severity == examples[i].severity for r, i in zip(results, test_idx, strict=True)
            )
    return max(SECONDARY_THRESHOLDS, key=lambda t: (scores[t], -t))


def train(
    examples: Iterable[Example],
    extra_examples: Iterable[Example] = (),
    *,
    folds: int = 5,
) -> dict[str, Any]:
    """A new artifact from `examples` (base labels) plus `extra_examples` (agents'
    overrides, weighted FEEDBACK_WEIGHT). Only the category labels train the model;
    severity and escalation come from the rules. Save it with `save`."""
    base = list(examples)
    extra = list(extra_examples)
    everything = base + extra
    for e in everything:
        if e.category not in CATEGORIES:
            raise ValueError(f"未知类别 {e.category!r}（{e.source or e.text[:20]}）")
    weights = np.array([1.0] * len(base) + [FEEDBACK_WEIGHT] * len(extra))
    threshold = _tune_secondary(everything, weights, folds) if folds > 1 else 0.3
    texts = [normalise(e.text) for e in everything]
    vectorizer, model = _fit(texts, [e.category for e in everything], weights)
    artifact = _artifact(vectorizer, model, threshold)
    counts: dict[str, int] = {}
    for e in everything:
        counts[e.category] = counts.get(e.category, 0) + 1
    artifact["meta"] = {
        "trained_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "training_size": len(everything),
        "base_examples": len(base),
        "extra_examples": len(extra),
        "label_counts": dict(sorted(counts.items())),
        "features": len(vectorizer.vocabulary_),
        "params": {
            "analyzer": "char",
            "ngram_range": list(NGRAMS),
            "min_df": MIN_DF,
            "C": C,
            "class_weight": "balanced",
            "secondary_threshold": threshold,
            "feedback_weight": FEEDBACK_WEIGHT,
        },
    }
    return artifact


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def evaluate(artifact: dict[str, Any] | TriageModel, examples: Sequence[Example]) -> dict[str, Any]:
    """Per-category P/R/F1 and support, confusion matrix (rows = label, columns =
    prediction), top-1 accuracy, severity accuracy and `major` P/R, escalation P/R."""
    model = artifact if isinstance(artifact, TriageModel) else TriageModel(artifact)
    results = model.classify_many([e.text for e in examples])
    index = {c: i for i, c in enumerate(CATEGORIES)}
    confusion = np.zeros((len(CATEGORIES), len(CATEGORIES)), dtype=int)
    for e, r in zip(examples, results, strict=True):
        confusion[index[e.category], index[r.category]] += 1
    per_category = {}
    for c, i in index.items():
        tp = int(confusion[i, i])
        stats = _prf(tp, int(confusion[:, i].sum()) - tp, int(confusion[i, :].sum()) - tp)
        per_category[c] = stats | {"support": int(confusion[i, :].sum())}

    def flag_stats(truth: list[bool], pred: list[bool]) -> dict[str, float]:
        tp = sum(t and p for t, p in zip(truth, pred, strict=True))
        fp = sum(p and not t for t, p in zip(truth, pred, strict=True))
        fn = sum(t and not p for t, p in zip(truth, pred, strict=True))
        return _prf(tp, fp, fn) | {"support": sum(truth)}

    n = len(examples)
    correct = int(np.trace(confusion))
    return {
        "model_version": model.version,
        "examples": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(float(np.mean([s["f1"] for s in per_category.values()])), 4),
        "per_category": per_category,
        "confusion": {"labels": list(CATEGORIES), "matrix": confusion.tolist()},
        "severity_accuracy": round(
            sum(e.severity == r.severity for e, r in zip(examples, results, strict=True)) / n, 4
        )
        if n
        else 0.0,
        "major": flag_stats(
            [e.severity == Severity.MAJOR for e in examples],
            [r.severity == Severity.MAJOR for r in results],
        ),
        "escalation": flag_stats(
            [e.escalation_risk for e in examples], [r.escalation_risk for r in results]
        ),
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as plain text (Chinese headings, codes as in the API)."""
    lines = [
        f"模型版本 {report['model_version']}，评估样本 {report['examples']} 条",
        f"类别 top-1 准确率 {report['accuracy']:.3f}，宏平均 F1 {report['macro_f1']:.3f}",
        f"严重程度准确率 {report['severity_accuracy']:.3f}；"
        f"重大(major) 召回率 {report['major']['recall']:.3f}，"
        f"精确率 {report['major']['precision']:.3f}（{report['major']['support']} 条）",
        f"升级风险 精确率 {report['escalation']['precision']:.3f}，"
        f"召回率 {report['escalation']['recall']:.3f}（{report['escalation']['support']} 条）",
        "",
        f"{'类别':<20}{'精确率':>8}{'召回率':>8}{'F1':>8}{'样本':>6}",
    ]
    for c, s in report["per_category"].items():
        lines.append(
            f"{c:<22}{s['precision']:>9.3f}{s['recall']:>9.3f}{s['f1']:>9.3f}{s['support']:>7}"
        )
    labels = report["confusion"]["labels"]
    short = [c[:6] for c in labels]
    lines += ["", "混淆矩阵（行 = 标注，列 = 预测）", " " * 20 + "".join(f"{s:>7}" for s in short)]
    for c, row in zip(labels, report["confusion"]["matrix"], strict=True):
        lines.append(f"{c:<20}" + "".join(f"{v:>7}" for v in row))
    return "\n".join(lines)


def next_version(prefix: str = "base", directory: Path | None = None) -> str:
    """`<prefix>-<date>-<n>`, n one more than the saved model's for the same day."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    stem = f"{prefix}-{today}-"
    meta = (directory or MODEL_DIR) / META_FILE
    n = 1
    if meta.exists():
        current = json.loads(meta.read_text("utf-8")).get("version", "")
        if current.startswith(stem) and current[len(stem) :].isdigit():
            n = int(current[len(stem) :]) + 1
    return f"{stem}{n}"


def save(
    artifact: dict[str, Any],
    version: str,
    directory: Path | None = None,
    report: dict[str, Any] | None = None,
) -> Path:
    """Write the artifact (joblib) and its description (JSON) into `directory`."""
    import joblib

    directory = directory or MODEL_DIR
    directory.mkdir(parents=True, exist_ok=True)
    artifact["version"] = version
    joblib.dump(
        {k: v for k, v in artifact.items() if k != "meta"}, directory / MODEL_FILE, compress=3
    )
    meta = {"version": version, **artifact.get("meta", {})}
    if report is not None:
        meta["evaluation"] = {k: v for k, v in report.items() if k != "model_version"}
    (directory / META_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return directory
