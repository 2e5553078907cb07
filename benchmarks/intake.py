"""Intake throughput: (a) bulk import of complaints, (b) API creation over HTTP with
concurrent clients — on SQLite and PostgreSQL. Prints disputes per second.

    .venv/bin/python benchmarks/intake.py [--db sqlite|postgres|both] [--bulk 50000]
                                          [--api 2000] [--clients 4]

Each database starts empty (a temporary SQLite file; PostgreSQL database
`aftersales_bench`, dropped and recreated). The bulk figure times the whole
`aftersales import` command, start-up included; the API figure runs gunicorn with the
production settings of `gunicorn.conf.py` (gthread workers with keep-alive, two per
core, app and classifier preloaded; BENCH_GUNICORN_ARGS adds options) and counts 201
responses per wall-clock second; each client keeps one connection open.
"""

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_URL = "postgres://postgres@127.0.0.1:5432/aftersales_bench"

PROBLEMS = [
    "收到的{p}屏幕有划痕，包装也破了，要求换货",
    "{p}用了三天就坏了，客服一直不回复，要求退货退款",
    "下单一周了{p}还没发货，催了好几次都说在排队",
    "快递把{p}压坏了，箱子都扁了，要求补发",
    "{p}和图片上的颜色完全不一样，色差太大",
    "买完{p}第二天就降价两百，要求退差价",
    "少发了{p}的配件，充电器没有",
    "怀疑{p}不是正品，防伪码查不到，再不处理就打12315",
]
PRODUCTS = ["手机", "平板电脑", "电热水器", "洗发水", "羽绒服", "笔记本电脑", "纯牛奶", "苹果"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def write_csv(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "external_ref",
                "order_no",
                "store",
                "platform",
                "amount_paid",
                "customer_name",
                "customer_phone",
                "product_name",
                "description",
                "expectation",
            ]
        )
        for i in range(n):
            product = rng.choice(PRODUCTS)
            w.writerow(
                [
                    f"BENCH-{i}",
                    f"BO{i:08d}",
                    rng.choice(["天猫旗舰店", "京东自营店", "抖音直播间"]),
                    rng.choice(["tmall", "jd", "douyin"]),
                    f"{rng.randint(20, 8000)}.{rng.randint(0, 99):02d}",
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
                    product,
                    rng.choice(PROBLEMS).format(p=product) + f"（订单 {i}）",
                    rng.choice(["refund", "return_refund", "exchange", "reship", "other"]),
                ]
            )


def env_for(db: str, data_dir: Path) -> dict:
    env = dict(
        os.environ,
        AFTERSALES_DATA_DIR=str(data_dir),
        DEBUG="0",
        SECRET_KEY="bench-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def fresh_database(db: str, env: dict) -> None:
    if db == "postgres":
        for sql in (
            "DROP DATABASE IF EXISTS aftersales_bench WITH (FORCE)",
            "CREATE DATABASE aftersales_bench",
        ):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql],
                check=True,
            )
    subprocess.run([BIN / "aftersales", "migrate", "-v0"], env=env, check=True)


def bench_bulk(env: dict, csv_path: Path, n: int) -> float:
    started = time.perf_counter()
    out = subprocess.run(
        [BIN / "aftersales", "import", str(csv_path), "--format", "csv"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    print("   ", out.stdout.strip().splitlines()[0])
    return n / elapsed


def _cpu_seconds(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group (the server)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text.rsplit(")", 1)[1].split()[2]) == pgid:
            total += _cpu_seconds(text)
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by the machine's PostgreSQL processes (others' included)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if not (stat.parent / "cmdline").read_bytes().startswith(b"postgres"):
                continue
            total += _cpu_seconds(stat.read_text())
        except OSError:
            continue
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_client(port: int, token: str, k: int, count: int, order_count: int):
    cpu_started = time.process_time()
    rng = random.Random(k)
    created, errors = 0, []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # One keep-alive connection per client (http.client reopens it if the server closes
    # it); a request cut off is sent again with the same Idempotency-Key.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(count):
        body = json.dumps(
            {
                "channel": "api",
                "order_no": f"BO{rng.randrange(order_count):08d}",
                "customer": {"name": "周敏", "phone": f"139{k:02d}{i:06d}"},
                "description": "收到的手机屏幕有划痕，要求换货",
                "amount_paid": "2999.00",
                "expectation": "exchange",
            },
            ensure_ascii=False,
        ).encode()
        headers["Idempotency-Key"] = f"bench-{k}-{i}"
        for attempt in range(3):
            try:
                conn.request("POST", "/api/v1/disputes", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                if attempt == 2:
                    raise
        if response.status == 201:
            created += 1
        else:
            errors.append((response.status, text[:200]))
    conn.close()
    return created, errors, time.process_time() - cpu_started


def bench_api(env: dict, n: int, clients: int, order_count: int) -> float:
    subprocess.run(
        [
            BIN / "aftersales",
            "shell",
            "-c",
            "from aftersales.parties.roles import Role\n"
            "from aftersales.parties.services import staff_create\n"
            "from aftersales.parties.models import Team\n"
            "staff_create(username='bench', password='bench-pass-123', role=Role.ADMIN,"
            " team=Team.objects.get(is_default=True))",
        ],
        env=env,
        check=True,
    )
    token = subprocess.run(
        [BIN / "aftersales", "token", "create", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),  # the production settings (README)
            "aftersales.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # the master loads the app and the classifier first
            try:
                httpx.get(base + "/api/v1/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        per_client = n // clients
        # Each client is its own process on plain http.client, so the clients' own CPU
        # (they share the 2 cores with the server) stays small and no GIL is shared.
        server_cpu, db_cpu = group_cpu(server.pid), postgres_cpu()
        with multiprocessing.Pool(clients) as pool:
            started = time.perf_counter()
            results = pool.starmap(
                run_client, [(port, token, k, per_client, order_count) for k in range(clients)]
            )
            elapsed = time.perf_counter() - started
        server_cpu, db_cpu = group_cpu(server.pid) - server_cpu, postgres_cpu() - db_cpu
        created = sum(r[0] for r in results)
        per = 1000 / max(created, 1)
        print(
            f"    CPU per request: server {server_cpu * per:.1f} ms, clients "
            f"{sum(r[2] for r in results) * per:.1f} ms, PostgreSQL (all its processes) "
            f"{db_cpu * per:.1f} ms; load average {os.getloadavg()[0]:.2f}"
        )
        errors = [e for r in results for e in r[1]]
        if errors:
            print(f"    {len(errors)} errors, first: {errors[0]}")
        return created / elapsed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--bulk", type=int, default=50_000)
    parser.add_argument("--api", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · {time.strftime('%Y-%m-%d %H:%M')} · "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    try:
        csv_path = tmp / "complaints.csv"
        write_csv(csv_path, args.bulk)
        for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
            data_dir = tmp / db
            data_dir.mkdir()
            env = env_for(db, data_dir)
            fresh_database(db, env)
            print(f"[{db}]")
            bulk = bench_bulk(env, csv_path, args.bulk)
            print(
                f"  bulk import of {args.bulk:,} complaints: {bulk:,.0f} disputes/s "
                f"(load average {os.getloadavg()[0]:.2f})"
            )
            api = bench_api(env, args.api, args.clients, args.bulk)
            print(
                f"  API creation, {args.clients} concurrent clients, {args.api:,} requests: "
                f"{api:,.0f} disputes/s"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
