"""aftersales import FILE [--format csv|xlsx|jsonl|reviews] [--only-negative]
[--batch-size N] [--limit N] [--report PATH]

Imports complaints in bulk; see docs/import.md for the column mapping. Exits 0 when the
file was read, bad rows or not (they are listed); 1 when the file cannot be read.
"""

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.disputes.import_readers import FORMATS
from aftersales.intake.importing import ImportFileError, ImportResult, run_import


class Command(BaseCommand):
    help = "批量导入投诉（CSV、xlsx、jsonl，或评价语料 reviews）；列名对照见 docs/import.md"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument(
            "--format",
            help=f"文件格式：{'|'.join(FORMATS)}；默认按扩展名判断（.csv .xlsx .jsonl），"
            "reviews 须显式指定",
        )
        parser.add_argument(
            "--only-negative",
            action="store_true",
            help="reviews 格式：只读差评（好评不是投诉，无论如何都不会导入）",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="每批写入的行数")
        parser.add_argument("--limit", type=int, help="最多读取的数据行数")
        parser.add_argument("--report", help="把错误行写入此 CSV 文件（列：line,reason）")

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 必须是正整数")
        if options["limit"] is not None and options["limit"] < 0:
            raise CommandError("--limit 不能为负数")
        started = time.monotonic()
        report = None
        if options["report"]:
            try:
                # utf-8-sig so that Excel opens the Chinese reasons correctly.
                report = open(options["report"], "w", newline="", encoding="utf-8-sig")
            except OSError as exc:
                raise CommandError(f"无法写入报告 {options['report']}：{exc}") from exc

        def progress(n: int) -> None:
            sys.stderr.write(f"已读取 {n} 行……\n")
            sys.stderr.flush()

        try:
            result = run_import(
                options["file"],
                options["format"],
                batch_size=options["batch_size"],
                limit=options["limit"],
                progress=progress if options["verbosity"] >= 1 else None,
            )
        except ImportFileError as exc:
            if report:
                report.close()
            raise CommandError(str(exc)) from exc
        self.print_result(result, only_negative=options["only_negative"])
        if options["verbosity"] >= 2:
            self.stdout.write(f"用时 {time.monotonic() - started:.1f} 秒")
        if report:
            with report:
                writer = csv.writer(report)
                writer.writerow(["line", "reason"])
                writer.writerows(result.bad)
            self.stdout.write(f"错误报告已写入 {options['report']}")

    def print_result(self, result: ImportResult, *, only_negative: bool) -> None:
        out = self.stdout
        out.write(
            f"读取 {result.read} 行，新建 {result.created} 件投诉，"
            f"已存在跳过 {result.skipped} 行，错误 {len(result.bad)} 行"
        )
        if result.format == "reviews":
            if only_negative:
                out.write(f"按 --only-negative 略过好评 {result.not_complaints} 行")
            else:
                out.write(
                    f"好评不是投诉，略过 {result.not_complaints} 行"
                    "（只导入差评；加 --only-negative 表示有意只读差评）"
                )
        if result.encoding == "gb18030":
            out.write("文件编码：GB18030（GBK）")
        if result.ignored_columns:
            out.write("已忽略未识别的列：" + "、".join(result.ignored_columns))
        for line, reason in result.bad:
            out.write(f"第 {line} 行：{reason}")
        if result.repeats:
            out.write(f"文件内重复的行（已跳过）{len(result.repeats)} 行：")
            for line, reason in result.repeats:
                out.write(f"第 {line} 行：{reason}")
