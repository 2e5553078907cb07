"""Triage throughput: `classify_many` in one process after start-up, and the
`aftersales classify` command end to end (start-up, model load, JSON in and out).

    .venv/bin/python benchmarks/triage.py [--texts 20000] [--cli 20000]

Texts are the negative reviews of ../shared/data when present (AFTERSALES_SHARED_DIR
overrides), else the project's own written complaints repeated.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

from aftersales.triage import training  # noqa: E402
from aftersales.triage.classifier import classify_many, current_model  # noqa: E402


def corpus(n: int) -> tuple[list[str], str]:
    path = training.reviews_path()
    if path.exists():
        import csv

        csv.field_size_limit(1 << 30)
        with path.open(encoding="utf-8", newline="") as f:
            texts = [r["review"] for r in csv.DictReader(f) if r["sentiment"] == "negative"]
        source = f"{path.name} 差评"
    else:
        texts = [e.text for e in training.load_written()]
        source = "written.csv（自写投诉，重复使用）"
    return [texts[i % len(texts)] for i in range(n)], source


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20000, help="classify_many 的文本数")
    parser.add_argument("--cli", type=int, default=20000, help="aftersales classify 的行数")
    parser.add_argument("--batch", type=int, default=512, help="classify_many 每批条数")
    args = parser.parse_args()

    texts, source = corpus(max(args.texts, args.cli))
    print(f"日期 {datetime.now().astimezone().isoformat(timespec='minutes')}")
    print(f"机器 {cpu_name()}，{os.cpu_count()} 核，Python {platform.python_version()}")
    print(f"文本来源 {source}，平均 {sum(map(len, texts)) / len(texts):.0f} 字")

    started = time.perf_counter()
    model = current_model()
    classify_many(texts[:64])
    print(f"模型 {model.version}，加载与预热 {time.perf_counter() - started:.2f} 秒")

    sample = texts[: args.texts]
    started = time.perf_counter()
    for i in range(0, len(sample), args.batch):
        classify_many(sample[i : i + args.batch])
    elapsed = time.perf_counter() - started
    print(
        f"classify_many：{len(sample)} 条，{elapsed:.2f} 秒，"
        f"{len(sample) / elapsed:,.0f} 条/秒（每批 {args.batch}，单进程）"
    )

    if args.cli:
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
            for i, text in enumerate(texts[: args.cli]):
                f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
            f.flush()
            started = time.perf_counter()
            with open(f.name, "rb") as stdin:
                done = subprocess.run(
                    [str(ROOT / ".venv" / "bin" / "aftersales"), "classify"],
                    stdin=stdin,
                    capture_output=True,
                    check=True,
                )
            elapsed = time.perf_counter() - started
        lines = done.stdout.count(b"\n")
        print(
            f"aftersales classify：{lines} 行，{elapsed:.2f} 秒（含启动），"
            f"{lines / elapsed:,.0f} 行/秒"
        )


if __name__ == "__main__":
    main()
