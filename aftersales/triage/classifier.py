"""Classify complaint text: category, secondary categories, severity, escalation risk.

A character n-gram model votes the category; the keyword rules (`rules.py`) decide
severity and escalation and overrule the model where safety or health is at stake.
Everything reads the normalised text, so Traditional and Simplified input give the
same result. The committed model in `model/` loads lazily, once per process.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aftersales.disputes.taxonomy import PRIMARY_PRECEDENCE, Category, Severity
from aftersales.triage.rules import RuleResult, apply_rules, normalise

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "triage.joblib"
META_FILE = "triage.json"

_PRECEDENCE = {c.value: i for i, c in enumerate(PRIMARY_PRECEDENCE)}
_MODEL_SIGNALS = 3  # top n-grams reported per text
_RULE_CONFIDENCE = 0.9
_HAN = re.compile(r"[\u4e00-\u9fff]+")  # floor when a safety/health rule decides the category


@dataclass(frozen=True)
class Classification:
    category: str
    categories: list[str]  # secondary categories, never the primary
    severity: str
    escalation_risk: bool
    confidence: float
    signals: list[str] = field(default_factory=list)
    model_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "categories": list(self.categories),
            "severity": self.severity,
            "escalation_risk": self.escalation_risk,
            "confidence": self.confidence,
            "signals": list(self.signals),
        }


class ModelMissing(RuntimeError):
    pass


class TriageModel:
    """A trained artifact (see `training.train`) ready to classify batches."""

    def __init__(self, artifact: dict[str, Any]) -> None:
        self.artifact = artifact
        self.vectorizer = artifact["vectorizer"]
        self.model = artifact["model"]
        self.version: str = artifact.get("version", "")
        self.secondary_threshold: float = float(artifact["secondary_threshold"])
        self.classes: list[str] = [str(c) for c in self.model.classes_]
        self._coef = np.asarray(self.model.coef_, dtype=np.float64)
        self._features = self.vectorizer.get_feature_names_out()
        # Single characters and punctuation say little to an agent: signals show n-grams
        # of two or more Chinese characters only.
        self._readable = np.array(
            [len(f) >= 2 and _HAN.fullmatch(f) is not None for f in self._features]
        )

    def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        if not texts:
            return []
        norm = [normalise(t) for t in texts]
        matrix = self.vectorizer.transform(norm)
        probs = self.model.predict_proba(matrix)
        ptr, indices, data = matrix.indptr, matrix.indices, matrix.data
        return [
            self._decide(
                probs[i], apply_rules(text), indices[ptr[i] : ptr[i + 1]], data[ptr[i] : ptr[i + 1]]
            )
            for i, text in enumerate(norm)
        ]

    def _decide(
        self, p: np.ndarray, rules: RuleResult, idx: np.ndarray, vals: np.ndarray
    ) -> Classification:
        classes = self.classes
        best = int(np.argmax(p))
        category = classes[best]
        confidence = float(p[best])
        forced = False
        cues = rules.cue_categories
        if rules.harm and category != Category.COUNTERFEIT:
            # Safety or health harm comes first (taxonomy precedence); counterfeit keeps
            # its place only because the model says so.
            forced = category != Category.QUALITY
            category = Category.QUALITY.value
            confidence = max(self._prob(p, category), _RULE_CONFIDENCE)
        elif category == Category.OTHER and cues:
            # "other" means no problem is named; a category cue names one.
            category = min(cues, key=_PRECEDENCE.__getitem__)
            confidence = max(self._prob(p, category), 0.5)
            forced = True

        secondary: dict[str, None] = {}
        for j in np.argsort(-p):
            c = classes[j]
            if p[j] < self.secondary_threshold:
                break
            if c not in (category, Category.OTHER):
                secondary.setdefault(c, None)
        for c in cues:
            if c != category:
                secondary.setdefault(c, None)
        ordered = sorted(secondary, key=_PRECEDENCE.__getitem__)

        if rules.major:
            severity = Severity.MAJOR.value
        elif ordered:
            severity = Severity.COMPLEX.value
        else:
            severity = Severity.GENERAL.value

        signals = rules.signals
        if not forced:
            signals = signals + self._model_signals(category, idx, vals)
        return Classification(
            category=category,
            categories=ordered,
            severity=severity,
            escalation_risk=rules.escalation,
            confidence=round(min(1.0, max(0.0, confidence)), 4),
            signals=signals,
            model_version=self.version,
        )

    def _prob(self, p: np.ndarray, category: str) -> float:
        # A model retrained on few examples may lack a category altogether.
        return float(p[self.classes.index(category)]) if category in self.classes else 0.0

    def _model_signals(self, category: str, idx: np.ndarray, vals: np.ndarray) -> list[str]:
        if not len(idx) or category not in self.classes:
            return []
        k = self.classes.index(category)
        keep = self._readable[idx]
        idx, vals = idx[keep], vals[keep]
        contrib = vals * self._coef[k, idx]
        chosen: list[str] = []
        for j in np.argsort(-contrib):
            if contrib[j] <= 0 or len(chosen) == _MODEL_SIGNALS:
                break
            gram = str(self._features[idx[j]]).strip()
            if any(gram in c or c in gram for c in chosen):
                continue
            chosen.append(gram)
        return [f"模型:{g}" for g in chosen]


def model_dir() -> Path:
    """Where the model is read from: AFTERSALES_TRIAGE_MODEL_DIR, else the committed one."""
    env = os.environ.get("AFTERSALES_TRIAGE_MODEL_DIR")
    return Path(env) if env else MODEL_DIR


def load_model(directory: Path | None = None) -> TriageModel:
    import joblib

    directory = directory or model_dir()
    path = directory / MODEL_FILE
    if not path.exists():
        raise ModelMissing(f"找不到分类模型 {path}；请先运行 aftersales triage train")
    artifact = joblib.load(path)
    meta_path = directory / META_FILE
    if meta_path.exists():
        artifact.setdefault("version", json.loads(meta_path.read_text("utf-8"))["version"])
    return TriageModel(artifact)


def base_version() -> str:
    """The version of the model shipped with the package (or AFTERSALES_TRIAGE_MODEL_DIR)."""
    meta = model_dir() / META_FILE
    return json.loads(meta.read_text("utf-8"))["version"] if meta.exists() else ""


_lock = threading.Lock()
_current: TriageModel | None = None


def current_model() -> TriageModel:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = load_model()
    return _current


def use_model(model: TriageModel | None) -> None:
    """Swap the process-wide model (after a retrain), or None to reload from disk."""
    global _current
    with _lock:
        _current = model


def classify_many(texts: Iterable[str]) -> list[Classification]:
    return current_model().classify_many(list(texts))


def classify(text: str) -> Classification:
    return current_model().classify_many([text])[0]
