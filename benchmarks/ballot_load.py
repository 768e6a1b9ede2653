"""Ballots under load: concurrent residents voting through gunicorn on PostgreSQL, against a trivial page.

Creates a fresh database (dropped at the end), migrates it, and sets up one process of 100 projects
and 20,000 verified residents, each already signed in: their sessions are written straight to the
database so the run measures voting, not PBKDF2. gunicorn serves the app on a free loopback port.
Clients each fetch the vote page once for a CSRF token, then post ballots for distinct residents
for 60 seconds; the same clients then fetch a trivial page (the sign-in page) on the same server.
Commits stay durable: nothing here touches synchronous_commit or fsync.

The clients share the server's two cores, so they are kept lean: asyncio coroutines in one thread,
each request on its own connection as a reverse proxy sends it (http.client in 24 threads took
CPU the server then lacked). The anchor is driven by the same clients, so the ratio stays fair.

Anchor: the trivial page's throughput, measured in the same run. Target: at least 200 ballots/s
and at least a quarter of the trivial page's rate, with every acknowledged ballot stored once.

The server is set up as in production on a machine of this size: gunicorn's threaded workers,
one process per core plus one, four threads each (--workers 3 --threads 4 on two cores). A vote
spends over half its time waiting for PostgreSQL, most of it for the durable commit; a sync worker
sits idle through that wait, while a threaded one serves another request, and PostgreSQL can
flush several commits at once. Each thread keeps its database connection between requests
(CONN_MAX_AGE, 60 s in settings), so 12 connections serve the whole run.

Run: .venv/bin/python benchmarks/ballot_load.py [--seconds 60] [--clients 24] [--workers 3] [--threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "commonweal_bench"
HOST = "127.0.0.1"
AREA, SLUG = "E06000999", "bench"
PROJECTS, RESIDENTS = 100, 20_000
TRIVIAL_PATH = "/sign-in/"
REPO = Path(__file__).resolve().parent.parent
VOTE_PATH = f"/areas/{AREA}/budgets/{SLUG}/vote/"
RECEIPT_PATH = f"/areas/{AREA}/budgets/{SLUG}/receipt/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def set_up_database() -> list[tuple[str, list[int]]]:
    """Migrate and fill the database; return each resident's session key and a preferred ballot."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from commonweal.budgeting.models import Process, Proposal
    from commonweal.places.models import Area, Role, User

    rng = random.Random(2026)
    with transaction.atomic():
        nation = Area.objects.create(code="E92000001", name="England", kind=Area.Kind.NATION)
        borough = Area.objects.create(
            code=AREA, name="Thornbury Vale", kind=Area.Kind.AUTHORITY, parent=nation
        )
        neighbourhoods = Area.objects.bulk_create(
            Area(code=f"E02999{i:03d}", name=f"Neighbourhood {i}", kind=Area.Kind.NEIGHBOURHOOD,
                 parent=borough)
            for i in range(1, 13)
        )
        process = Process.objects.create(
            area=borough, slug=SLUG, title="Benchmark budget", budget=1_000_000,
            phase=Process.Phase.VOTING, ballot_type=Process.BallotType.KNAPSACK,
        )
        proposals = Proposal.objects.bulk_create(
            Proposal(
                process=process, code=f"P{i:03d}", title=f"Project {i}", description="A project.",
                neighbourhood=neighbourhoods[i % 12], estimated_cost=rng.randrange(10_000, 60_000, 1_000),
                status=Proposal.Status.FEASIBLE,
            )
            for i in range(1, PROJECTS + 1)
        )
        users = User.objects.bulk_create(
            User(email=f"resident{i}@example.org", full_name=f"Resident {i}", password="!unusable")
            for i in range(RESIDENTS)
        )
        now = timezone.now()
        Role.objects.bulk_create(
            Role(user=user, kind=Role.Kind.RESIDENT, area=neighbourhoods[i % 12], verified_at=now)
            for i, user in enumerate(users)
        )
        sessions, voters = [], []
        for user in users:
            key = secrets.token_hex(16)
            data = {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
            sessions.append(Session(session_key=key, session_data=SessionStore().encode(data),
                                    expire_date=now + timedelta(days=1)))
            voters.append((key, [p.pk for p in rng.sample(proposals, rng.randint(3, 6))]))
        Session.objects.bulk_create(sessions, batch_size=5_000)
    return voters


def stored_counts() -> tuple[int, int]:
    from commonweal.budgeting.models import Ballot, VoterRoll

    return (
        Ballot.objects.filter(process__slug=SLUG).count(),
        VoterRoll.objects.filter(process__slug=SLUG).count(),
    )


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, [""])[0]


async def fetch(port: int, method: str, path: str, headers: dict[str, str], body: str = "") -> Answer:
    """One request on its own connection, as a reverse proxy sends it to gunicorn (nginx's default)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        content = body.encode()
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        start = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
        writer.write(f"{start}Content-Length: {len(content)}\r\n{head}\r\n".encode() + content)
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        answer: dict[str, list[str]] = {}
        for line in filter(None, lines):
            name, _, value = line.partition(":")
            answer.setdefault(name.strip().lower(), []).append(value.strip())
        return Answer(int(status_line.split()[1]), answer, await reader.read())
    finally:
        writer.close()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: int = 0
    refused: dict[int, int] = field(default_factory=dict)

    def add(self, status: int, seconds: float, ok: bool) -> None:
        if ok:
            self.acknowledged += 1
            self.latencies.append(seconds)
        else:
            self.refused[status] = self.refused.get(status, 0) + 1


async def csrf_pair(port: int, session: str) -> tuple[str, str]:
    """A CSRF cookie and form token, taken from the vote page as a browser would."""
    answer = await fetch(port, "GET", VOTE_PATH, {"Cookie": f"sessionid={session}"})
    cookie = re.search(r"csrftoken=([^;]+)", " ".join(answer.headers.get("set-cookie", [])))
    token = CSRF_INPUT.search(answer.body.decode())
    if answer.status != 200 or cookie is None or token is None:
        raise SystemExit(
            f"The vote page answered {answer.status} without a CSRF token: is the vote view in place?"
        )
    return cookie.group(1), token.group(1)


async def cast_ballots(port: int, voters, token_holders: list[str], seconds: float) -> tuple[Tally, float]:
    tally, queue = Tally(), iter(voters)
    pairs = [await csrf_pair(port, session) for session in token_holders]
    deadline = time.perf_counter() + seconds

    async def client(cookie: str, token: str) -> None:
        while time.perf_counter() < deadline and (voter := next(queue, None)) is not None:
            session, projects = voter
            body = urlencode([("csrfmiddlewaretoken", token), *(("project", pk) for pk in projects)])
            headers = {
                "Cookie": f"sessionid={session}; csrftoken={cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    answer = await fetch(port, "POST", VOTE_PATH, headers, body)
                status, location = answer.status, answer.header("location")
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                status, location = 0, ""
            ok = status == 302 and location.endswith(RECEIPT_PATH)
            tally.add(status, time.perf_counter() - started, ok)

    started = time.perf_counter()
    await asyncio.gather(*(client(*pair) for pair in pairs))
    return tally, time.perf_counter() - started


async def fetch_trivial(port: int, seconds: float, clients: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            if (await fetch(port, "GET", TRIVIAL_PATH, {})).status == 200:
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.perf_counter() - started)


def start_gunicorn(port: int, workers: int, threads: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "commonweal.wsgi", "-w", str(workers), "--threads", str(threads),
         "--bind", f"{HOST}:{port}", "--log-level", "warning"],
        env=env, cwd=REPO,
    )
    for _ in range(100):
        try:
            if asyncio.run(fetch(port, "GET", TRIVIAL_PATH, {})).status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 10 seconds")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="How long residents vote (60).")
    parser.add_argument("--trivial-seconds", type=float, default=20.0, help="How long the anchor runs (20).")
    parser.add_argument("--clients", type=int, default=24, help="Concurrent client threads (24).")
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=int, default=cores + 1, help="gunicorn workers (cores + 1).")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4).")
    args = parser.parse_args()

    env = {
        **os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false", "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "commonweal.settings",
    }
    os.environ.update({k: env[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
                                            "DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}")
    server = None
    try:
        started = time.perf_counter()
        voters = set_up_database()
        print(f"set up {PROJECTS} projects and {RESIDENTS:,} signed-in residents "
              f"in {time.perf_counter() - started:.1f} s", flush=True)
        port = free_port()
        server = start_gunicorn(port, args.workers, args.threads, env)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on {HOST}:{port}; "
              f"{args.clients} clients", flush=True)
        # The last `clients` residents only fetch the vote page for CSRF tokens; they never vote.
        token_holders = [session for session, _ in voters[-args.clients:]]
        tally, elapsed = asyncio.run(cast_ballots(port, voters[: -args.clients], token_holders, args.seconds))
        trivial_per_s = asyncio.run(fetch_trivial(port, args.trivial_seconds, args.clients))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    from django.db import connections

    stored, roll = stored_counts()
    connections.close_all()
    admin_sql(f"DROP DATABASE IF EXISTS {DATABASE}")

    ballots_per_s = tally.acknowledged / elapsed
    p50, p99 = percentile(tally.latencies, 0.50) * 1000, percentile(tally.latencies, 0.99) * 1000
    lost = max(tally.acknowledged - stored, 0)
    duplicated = max(stored - tally.acknowledged, 0)
    print(f"ballots acknowledged (302 to the receipt): {tally.acknowledged:,} in {elapsed:.1f} s; "
          f"other answers: {tally.refused or 'none'}")
    print(f"ballots stored: {stored:,}; voter-roll entries: {roll:,}")
    print(f"ballots/s {ballots_per_s:.1f}, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"trivial page {TRIVIAL_PATH}: {trivial_per_s:.1f}/s; ratio {ballots_per_s / trivial_per_s:.3f}")
    print(
        f"ballots_per_s={ballots_per_s:.0f} p50_ms={p50:.0f} p99_ms={p99:.0f} "
        f"trivial_per_s={trivial_per_s:.0f} ratio={ballots_per_s / trivial_per_s:.2f} "
        f"lost={lost} duplicated={duplicated}"
    )
    if roll != stored:
        sys.exit("the voter roll and the ballot box disagree")


if __name__ == "__main__":
    main()
