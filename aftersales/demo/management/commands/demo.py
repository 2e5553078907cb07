"""aftersales demo [--count N] [--seed S] [--no-serve] [--no-worker]
                [--addrport 127.0.0.1:8000] [--reset]

Migrates the configured database (SQLite in AFTERSALES_DATA_DIR unless DATABASE_URL says
otherwise), collects static files, creates one demo user per role and the demo disputes,
prints the addresses and logins, then serves with Django's runserver and runs the
background worker beside it (SLA scans, notifications; stopped with the server, see
aftersales.demo.serve). For a developer's own machine only: the demo password is public,
so it refuses to run with DEBUG off.
"""

import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from aftersales.demo.live import demo_live_intakes
from aftersales.demo.populate import DEMO_PASSWORD, DemoLogin, DemoSummary, demo_populate
from aftersales.demo.serve import serve
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel, Dispute
from aftersales.disputes.taxonomy import Category, Severity


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "建库、生成演示数据（每个角色一个账号、数千件投诉）并启动服务 · run the demo"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=2400, help="演示投诉件数（默认 2400）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不启动后台任务进程（SLA 扫描、通知发送）；默认随服务启动、随服务停止",
        )
        parser.add_argument(
            "--addrport", default="127.0.0.1:8000", help="服务地址（默认 127.0.0.1:8000）"
        )
        parser.add_argument(
            "--reset", action="store_true", help="先删除 SQLite 数据库文件再重建（仅限 SQLite）"
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("演示只在 DEBUG=1 时运行：演示账号的密码是公开的。")
        if options["count"] < 0:
            raise CommandError("--count 不能为负数")
        db = settings.DATABASES["default"]
        if options["reset"]:
            self._reset(db)
        self.stdout.write(f"数据库：{self._describe(db)}")

        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"已迁移数据库并收集静态文件（{time.monotonic() - started:.1f} 秒）")

        summary = demo_populate(count=options["count"], seed=options["seed"])
        self._print_summary(summary)
        live = demo_live_intakes()
        self.stdout.write(
            f"实时受理演示投诉 {live} 件（自动分类、分派、疑似集体投诉、重大投诉报告）"
            if live
            else "实时受理演示投诉已存在"
        )
        base = self._base_url(options["addrport"])
        self.stdout.write("")
        self.stdout.write("访问地址：")
        for label, path in (("工作台", "/workbench/"), ("顾客门户", "/portal/"),
                            ("后台", "/admin/"), ("接口文档", "/api/v1/docs")):  # fmt: skip
            self.stdout.write(f"  {_pad(label, 10)}{base}{path}")
        self._print_portal_login()
        self._print_logins(summary.logins)
        if options["no_serve"]:
            return
        self.stdout.write("")
        self.stdout.write(f"启动服务 {base}/ （Ctrl+C 停止）")
        self.stdout.flush()
        serve(addrport=options["addrport"], worker=not options["no_worker"], say=self._say)

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    # -------------------------------------------------------------------------------
    def _describe(self, db: dict) -> str:
        if db["ENGINE"].endswith("sqlite3"):
            return f"{db['NAME']}（SQLite）"
        host = db.get("HOST") or "localhost"
        return f"{db.get('NAME')} @ {host}:{db.get('PORT') or ''}（{db['ENGINE'].split('.')[-1]}）"

    def _reset(self, db: dict) -> None:
        if not db["ENGINE"].endswith("sqlite3"):
            raise CommandError("--reset 只用于 SQLite 数据库；其他数据库请自行清理。")
        name = str(db["NAME"])
        test_name = (db.get("TEST") or {}).get("NAME") or ""
        if name in ("", ":memory:") or "mode=memory" in name or "mode=memory" in str(test_name):
            raise CommandError("--reset：内存数据库无需删除。")
        connections.close_all()
        path = Path(name)
        for file in (path, Path(f"{name}-wal"), Path(f"{name}-shm")):
            file.unlink(missing_ok=True)
        self.stdout.write(f"已删除 {path}")

    def _base_url(self, addrport: str) -> str:
        host, _, port = addrport.rpartition(":")
        if not host:
            host, port = "127.0.0.1", addrport
        if host in ("0.0.0.0", "[::]", "::"):
            host = "127.0.0.1"
        return f"http://{host}:{port}"

    def _print_summary(self, s: DemoSummary) -> None:
        if s.already_present:
            self.stdout.write(f"演示数据已存在（{s.total} 件投诉），未重复生成；重建请加 --reset。")
        else:
            self.stdout.write(
                f"演示数据：新建 {s.created} 件投诉、{s.tasks} 项部门任务，用时 {s.seconds:.1f} 秒"
            )
            self.stdout.write(
                f"  调解方案 {s.proposals} 件（{s.legal_reviewed} 版低于法定标准，经法务审核）"
                f" · 调解协议书 {s.agreements} 份（{s.rendered} 份已生成 PDF）"
                f" · 外部升级 {s.escalations} 件"
            )
            self.stdout.write(
                f"  时限计时 {s.timers} 个 · 承诺 {s.commitments} 项"
                f" · 售后单 {s.aftersale_orders} 张（{s.aftersale_open} 张进行中、"
                f"{s.aftersale_done} 张已完成，{s.aftersale_closed} 张属已结案投诉）"
                f" · 打款 {s.payouts} 笔 · 包裹 {s.parcels} 个"
            )
            for line, reason in s.failed[:10]:
                self.stderr.write(f"  第 {line} 行未导入：{reason}")

        def row(title: str, counts: dict[str, int], labels: dict) -> None:
            parts = [f"{labels.get(k, k)} {counts[k]}" for k in labels if counts.get(k)]
            self.stdout.write(f"  {_pad(title, 12)}{' · '.join(parts)}")

        row("按状态", s.by_status, dict(Status.choices))
        row("按渠道", s.by_channel, dict(Channel.choices))
        row("按分类", s.by_category, dict(Category.choices))
        row("按严重程度", s.by_severity, dict(Severity.choices))

    def _print_portal_login(self) -> None:
        """A demo customer to sign in to the portal as: one whose dispute waits for their
        answer to a proposal. The one-time code goes by the development SMS sender."""
        dispute = (
            Dispute.objects.filter(status=Status.PROPOSING, order__isnull=False)
            .select_related("order", "customer")
            .order_by("received_at")
            .first()
        )
        if dispute is None:
            return
        self.stdout.write(
            f"  顾客门户演示：订单号 {dispute.order.order_no}，手机号 {dispute.customer.phone}；"
            f"验证码（开发用短信）写在 {settings.AFTERSALES_SMS_DEV_FILE} 和服务日志里"
        )

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，仅供本机演示）：")
        widths = (18, 12, 16)

        def line(cells: tuple[str, str, str], last: str) -> str:
            return "  " + "".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + last

        self.stdout.write(line(("用户名", "密码", "角色"), "姓名"))
        for login in logins:
            name = login.display_name + (f"（{login.team_name}）" if login.team_name else "")
            self.stdout.write(line((login.username, login.password, login.role_label), name))
