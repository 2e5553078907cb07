"""Labels, training and the evaluation report."""

import csv
from collections import Counter

import pytest

from aftersales.disputes.taxonomy import Category
from aftersales.triage import training
from aftersales.triage.classifier import TriageModel, load_model
from aftersales.triage.training import Example

CODES = {c.value for c in Category}


def test_committed_labels_hold_row_numbers_not_texts():
    with training.REVIEWS_LABELS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["row", "category", "secondary", "severity", "escalation_risk", "split"]
    assert len({r["row"] for r in rows}) == len(rows)
    for r in rows:
        assert r["category"] in CODES
        secondary = [s for s in r["secondary"].split(";") if s]
        assert set(secondary) <= CODES and r["category"] not in secondary
        assert r["severity"] in {"general", "complex", "major"}
        assert r["escalation_risk"] in {"0", "1"}


def test_eval_split_is_large_and_stratified():
    with training.REVIEWS_LABELS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    evaluation = Counter(r["category"] for r in rows if r["split"] == "eval")
    everything = Counter(r["category"] for r in rows)
    assert sum(evaluation.values()) >= 600
    # The split took 25 % of each category when it was drawn; rows labelled later go to
    # training only (never moved between splits), so the eval share drifts down: the
    # active-learning rounds (docs/triage.md) read more `other` and minority candidates,
    # which brought `other` and `not_as_described` to about 9 %.
    for category, n in everything.items():
        assert evaluation[category] >= 3
        assert 0.05 <= evaluation[category] / n <= 0.4


def test_missing_shared_data_is_a_clear_error(tmp_path):
    with pytest.raises(training.SharedDataMissing, match="shared"):
        training.load_labelled(tmp_path)


TOY = [
    Example("快递太慢了，一个星期才到", "logistics", severity="general"),
    Example("物流一直不更新，包裹丢了", "logistics", severity="general"),
    Example("快递员不送上门", "logistics", severity="general"),
    Example("手机用了两天就坏了", "quality", severity="general"),
    Example("衣服洗一次就掉色", "quality", severity="general"),
    Example("热水器漏电", "quality", severity="major"),
    Example("客服态度很差，不理人", "service", severity="general", escalation_risk=True),
    Example("客服不回复消息", "service", severity="general"),
]


def test_evaluate_report_shape():
    artifact = training.train(TOY, folds=1)
    report = training.evaluate(artifact, TOY)
    assert set(report) >= {
        "accuracy", "per_category", "confusion", "severity_accuracy", "major", "escalation",
        "examples", "macro_f1", "model_version",
    }  # fmt: skip
    assert set(report["per_category"]) == CODES
    for stats in report["per_category"].values():
        assert set(stats) == {"precision", "recall", "f1", "support"}
    matrix = report["confusion"]["matrix"]
    assert len(matrix) == len(CODES) and all(len(row) == len(CODES) for row in matrix)
    assert sum(map(sum, matrix)) == len(TOY) == report["examples"]
    assert report["per_category"]["logistics"]["support"] == 3
    assert report["major"]["support"] == 1 and report["major"]["recall"] == 1.0
    assert report["escalation"]["support"] == 1
    text = training.format_report(report)
    assert "准确率" in text and "混淆矩阵" in text and "repair_installation" in text


def test_extra_examples_teach_the_model(tmp_path):
    phrase = "那个橙色的东西怎么还没弄好"
    before = TriageModel(training.train(TOY, folds=1)).classify_many([phrase])[0]
    feedback = [Example(phrase, "repair_installation", source="feedback:1")] * 3
    artifact = training.train(TOY, feedback, folds=1)
    assert artifact["meta"]["extra_examples"] == 3
    after = TriageModel(artifact).classify_many([phrase])[0]
    assert before.category != "repair_installation"
    assert after.category == "repair_installation"


def test_train_rejects_unknown_categories():
    with pytest.raises(ValueError, match="未知类别"):
        training.train([*TOY, Example("x", "weather")], folds=1)


def test_save_and_load_round_trip(tmp_path):
    artifact = training.train(TOY, folds=1)
    version = training.next_version("feedback", tmp_path)
    assert version.startswith("feedback-") and version.endswith("-1")
    training.save(artifact, version, tmp_path)
    assert training.next_version("feedback", tmp_path).endswith("-2")
    model = load_model(tmp_path)
    assert model.version == version
    assert model.classify_many(["热水器漏电"])[0].model_version == version


def test_committed_model_on_the_eval_split():
    try:
        _, evaluation = training.load_labelled()
    except training.SharedDataMissing as exc:
        pytest.skip(f"评价语料不在本机（{exc}）")
    report = training.evaluate(load_model(), evaluation)
    assert report["major"]["recall"] >= 0.9
    assert report["escalation"]["recall"] >= 0.9
    assert report["accuracy"] >= 0.7  # docs/triage.md: 0.756 measured; guards regressions
