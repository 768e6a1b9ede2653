"""Eight processes hammering the ledger on PostgreSQL, one of them killed mid-run.

Processes rather than threads, so each has its own connection and its own Python: this is how
gunicorn workers meet in production. Afterwards every cached balance must equal the sum of its
postings, credits held must equal credits issued less those redeemed and expired, every
transaction a worker saw committed must be stored, and none twice. SQLite takes one lock for the
whole database, so there is no race to test there.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from commonweal.coproduction import stress

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole database for each writer; these races run on PostgreSQL",
)

WORKERS = 8
TRANSACTIONS = 5_000  # the full count; about 30 s on a two-core machine
SEED = 8


def run(worker: int, count: int, accounts: stress.Accounts, journal: Path) -> None:
    tallies = stress.work(worker, count, accounts, journal, SEED)
    journal.with_suffix(".done").write_text(json.dumps(tallies))


def test_eight_processes_with_one_killed_lose_nothing_and_double_nothing(transactional_db, tmp_path) -> None:
    accounts = stress.prepare(members=60, credits_each=1_500)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    journals = [tmp_path / f"worker{n}.keys" for n in range(WORKERS)]
    share = TRANSACTIONS // WORKERS
    processes = [context.Process(target=run, args=(n, share, accounts, journals[n])) for n in range(WORKERS)]
    for process in processes:
        process.start()
    victim = processes[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not journals[0].exists() or len(journals[0].read_text().splitlines()) < share // 5
    ):
        time.sleep(0.01)
    os.kill(victim.pid, signal.SIGKILL)
    for process in processes:
        process.join(timeout=180)
    assert victim.exitcode == -signal.SIGKILL
    assert all(p.exitcode == 0 for p in processes[1:]), [p.exitcode for p in processes]
    assert not journals[0].with_suffix(".done").exists(), "the victim finished before it was killed"

    result = stress.audit(journals, SEED)

    assert result.books_ok, "a balance differs from its postings, or credits were not conserved"
    assert result.unbalanced_transactions == 0
    assert result.missing == [], "a committed transaction was lost"
    assert result.extra <= 1, "only the victim's last transaction may have committed unrecorded"
    survivors = [json.loads(j.with_suffix(".done").read_text()) for j in journals[1:]]
    assert sum(t["posted"] for t in survivors) > TRANSACTIONS // 4


def test_two_tills_using_one_voucher_at_once_use_it_once(
    transactional_db, activity, member, organiser, swim, till
) -> None:
    from datetime import date, timedelta

    from commonweal.coproduction import services
    from commonweal.coproduction.models import VoucherUse

    entry = services.log_time(activity, member, 60, date.today() - timedelta(days=1), "", "k")
    services.confirm_time(entry, organiser)
    code = services.redeem(member, swim, "spend").transaction.voucher
    tills = 4
    start = threading.Barrier(tills)
    outcomes: list[str] = []

    def use() -> None:
        start.wait()
        try:
            services.use_voucher(swim.partner, code, till)
            outcomes.append("used")
        except services.CoproductionError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(tills)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "used" and outcomes.count("used") == 1, outcomes
    assert all("was already used on" in o for o in outcomes if o != "used"), outcomes
    assert VoucherUse.objects.count() == 1
