"""aftersales triage evaluate [--json] | aftersales triage train [--version V] [--output DIR]
| aftersales triage retrain [--folds N] [--json]

evaluate: the committed model on the committed evaluation split (needs ../shared/data).
train: the base model from the labels (reviews + written texts), saved with a new
version, followed by its evaluation report.
retrain: base labels plus agents' corrections (feedback) from the database; the new
version is recorded and becomes the one intake uses.
"""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.triage import training
from aftersales.triage.classifier import MODEL_DIR, current_model


class Command(BaseCommand):
    help = "分类模型：evaluate 在评估集上出报告；train 从标注重新训练基础模型"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="在评估集上评估当前模型")
        evaluate.add_argument("--json", action="store_true", help="以 JSON 输出报告")
        train = sub.add_parser("train", help="从标注训练基础模型并保存")
        train.add_argument("--version", help="模型版本号，默认 base-<日期>-<序号>")
        train.add_argument("--output", help=f"保存目录，默认 {MODEL_DIR}")
        train.add_argument("--json", action="store_true", help="以 JSON 输出评估报告")
        retrain = sub.add_parser("retrain", help="基础标注加人工更正重新训练，并启用新版本")
        retrain.add_argument("--folds", type=int, default=5, help="调参用的交叉验证折数")
        retrain.add_argument("--json", action="store_true", help="以 JSON 输出评估报告")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retrain":
            self._retrain(options)
            return
        try:
            train_examples, eval_examples = training.load_labelled()
        except training.SharedDataMissing as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        if options["action"] == "evaluate":
            report = training.evaluate(current_model(), eval_examples)
        else:
            directory = Path(options["output"]) if options["output"] else MODEL_DIR
            version = options["version"] or training.next_version("base", directory)
            self.stderr.write(f"训练中：{len(train_examples)} 条训练样本……")
            artifact = training.train(train_examples)
            artifact["version"] = version
            report = training.evaluate(artifact, eval_examples)
            training.save(artifact, version, directory, report)
            self.stderr.write(f"已保存模型 {version} 到 {directory}")
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            self.stdout.write(training.format_report(report))

    def _retrain(self, options: dict[str, Any]) -> None:
        from aftersales.triage.classification import triage_retrain

        if options["folds"] < 1:
            self.stderr.write("--folds 至少为 1")
            sys.exit(2)
        record, report = triage_retrain(folds=options["folds"])
        if not report.get("review_corpus_used"):
            self.stderr.write(
                "警告：本机没有评价语料（../shared/data 或 AFTERSALES_SHARED_DIR），"
                "新模型只用自编样本和人工更正训练，也没有评估报告。"
            )
        self.stderr.write(
            f"已启用模型 {record.version}：{record.examples} 条样本，"
            f"其中人工更正 {record.feedback_examples} 条；保存在 {record.path}"
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        elif report.get("accuracy") is not None:
            self.stdout.write(training.format_report(report))
