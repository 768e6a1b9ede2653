"""Ledger transfers per second through our service code, against pgbench's TPC-B-like transaction.

Both run on the same PostgreSQL server in the same run, at the same concurrency (8 workers), in a
scratch database this script creates and drops. Ours: 8 processes post 5,000 random gifts,
donations and redemptions (each locks its accounts, checks the ledger rules, writes a transaction,
its postings and the new balances, and commits). The anchor: `pgbench -c 8 -j 8` running its
built-in transaction (three UPDATEs, a SELECT and an INSERT) for a fixed time. Target: our rate at
least 30% of pgbench's. At the end the ledger's books are audited: every balance equals its
postings and credits held equal credits issued less those redeemed and expired.

Run: .venv/bin/python benchmarks/ledger_vs_pgbench.py [--transfers 5000] [--seconds 15]
Needs pgbench (Debian: postgresql-client / postgresql-contrib) and PostgreSQL on 127.0.0.1:5432
(override with PGHOST, PGPORT, PGUSER). Only the loopback server is used.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

WORKERS = 8
HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
USER = os.environ.get("PGUSER", "postgres")
SCRATCH = f"commonweal_ledger_bench_{os.getpid()}"
SEED = 2026


def admin(sql: str) -> None:
    with psycopg.connect(dbname="postgres", host=HOST, port=PORT, user=USER, autocommit=True) as conn:
        conn.execute(sql)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"postgresql://{USER}@{HOST}:{PORT}/{SCRATCH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def worker(n: int, count: int, accounts, journal: Path, start: multiprocessing.Barrier) -> None:
    from commonweal.coproduction import stress

    start.wait()
    stress.work(n, count, accounts, journal, SEED)


def ours(transfers: int, members: int) -> tuple[float, bool, int]:
    from django.db import connections

    from commonweal.coproduction import stress
    from commonweal.coproduction.models import Transaction

    accounts = stress.prepare(members=members, credits_each=5_000)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WORKERS + 1)
    with tempfile.TemporaryDirectory() as folder:
        journals = [Path(folder) / f"w{n}.keys" for n in range(WORKERS)]
        processes = [
            context.Process(target=worker, args=(n, transfers // WORKERS, accounts, journals[n], start))
            for n in range(WORKERS)
        ]
        for process in processes:
            process.start()
        start.wait()
        began = time.perf_counter()
        for process in processes:
            process.join(timeout=600)
        elapsed = time.perf_counter() - began
        if any(p.exitcode != 0 for p in processes):
            sys.exit(f"a worker failed: exit codes {[p.exitcode for p in processes]}")
        result = stress.audit(journals, SEED)
        posted = Transaction.objects.filter(key__startswith=f"{stress.KEY_PREFIX}:{SEED}:").count()
    # Every attempt is a full round through the service, refused for want of credits or not.
    return transfers / elapsed, result.ok and result.extra == 0, posted


def pgbench(seconds: int) -> float:
    env = {**os.environ, "PGHOST": HOST, "PGPORT": PORT, "PGUSER": USER}
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(WORKERS), SCRATCH],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    done = subprocess.run(
        ["pgbench", "-c", str(WORKERS), "-j", str(WORKERS), "-T", str(seconds), SCRATCH],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    if not match:
        sys.exit(f"could not read pgbench's tps from:\n{done.stdout}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--seconds", type=int, default=15, help="how long pgbench runs")
    args = parser.parse_args()
    if HOST not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("This benchmark only runs against a PostgreSQL server on the loopback interface.")
    if shutil.which("pgbench") is None:
        sys.exit("pgbench is missing: sudo apt-get install postgresql-client (or postgresql-contrib)")
    admin(f'CREATE DATABASE "{SCRATCH}"')
    try:
        setup_django()
        print(f"scratch database {SCRATCH}; {WORKERS} workers; {args.transfers:,} transfers")
        rate, conserved, posted = ours(args.transfers, args.members)
        print(
            f"ours: {rate:,.0f} transfers/s ({posted:,} posted, the rest refused for want of credits "
            "or retries of a request already made)"
        )
        tps = pgbench(args.seconds)
        print(f"pgbench TPC-B-like: {tps:,.0f} tps over {args.seconds} s")
        from django.db import connections

        connections.close_all()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    ratio = rate / tps
    print(f"ratio {ratio:.0%} (target at least 30%)")
    print(
        f"transfers_per_s={rate:.0f} pgbench_tps={tps:.0f} ratio={ratio:.2f} "
        f"conserved={'yes' if conserved else 'no'}"
    )


if __name__ == "__main__":
    main()
