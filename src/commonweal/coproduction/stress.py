"""A random workload through the ledger service, for the concurrency test and the benchmark.

Many processes, each with its own database connection, post random gifts, donations and
redemptions between the same accounts at once, now and then retrying a request they already made.
Each process appends the key of every transaction it saw committed to a file of its own, so that
after the run (even one where a process was killed half-way) a check can show that nothing
committed was lost and nothing was posted twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from commonweal.places.models import Area, Role, Service, User

from . import ledger, services
from .ledger import Kind, LedgerError
from .models import Account, Partner, Transaction
from .services import CoproductionError

KEY_PREFIX = "stress"
MIX = [(Kind.GIFT, 0.6), (Kind.DONATION, 0.2), (Kind.REDEMPTION, 0.2)]


@dataclass(frozen=True)
class Accounts:
    area: int
    members: list[int]
    pot: int
    partners: list[int]


def prepare(members: int, credits_each: int = 1_000, code: str = "E06000950") -> Accounts:
    """An authority with `members` residents holding `credits_each` hundredths, a pot and two partners."""
    nation, _ = Area.objects.get_or_create(code="E92000001", defaults={"name": "England", "kind": "nation"})
    authority, _ = Area.objects.get_or_create(
        code=code, defaults={"name": "Loadtest Vale", "kind": "authority", "parent": nation}
    )
    neighbourhood, _ = Area.objects.get_or_create(
        code=f"{code}N", defaults={"name": "Loadtest Green", "kind": "neighbourhood", "parent": authority}
    )
    service, _ = Service.objects.get_or_create(slug="loadtest", defaults={"name": "Loadtest service"})
    source = services.issuing_account(service, authority)
    existing = set(User.objects.filter(email__endswith="@load.test").values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=f"m{n}@load.test", full_name=f"Member {n}")
            for n in range(members)
            if f"m{n}@load.test" not in existing
        ]
    )
    users = list(User.objects.filter(email__endswith="@load.test").order_by("pk")[:members])
    Role.objects.bulk_create(
        [Role(user=u, kind=Role.Kind.RESIDENT, area=neighbourhood) for u in users], ignore_conflicts=True
    )
    member_ids = []
    for user in users:
        account = services.member_account(user, authority)
        member_ids.append(account.pk)
        spec = ledger.move(
            Kind.ISSUE,
            str(source.pk),
            str(account.pk),
            credits_each,
            key=f"{KEY_PREFIX}:seed:{account.pk}",
            by="",
            reason="Credits to start the load test",
        )
        services.post(spec, area=authority, made_by=None)
    partners = [
        services.partner_account(Partner.objects.get_or_create(area=authority, name=name)[0]).pk
        for name in ("Loadtest pool", "Loadtest cinema")
    ]
    return Accounts(authority.pk, member_ids, services.pot_account(authority).pk, partners)


def work(worker: int, count: int, accounts: Accounts, journal: Path, seed: int) -> dict[str, int]:
    """Post `count` random transactions; append each committed key to `journal`. Returns tallies."""
    connections.close_all()  # never share a parent's connection across a fork
    rng = random.Random(seed * 1_000 + worker)
    area = Area.objects.get(pk=accounts.area)
    kinds, weights = zip(*MIX, strict=True)
    tallies = {"posted": 0, "refused": 0, "retried": 0}
    previous: ledger.Transaction | None = None
    with journal.open("a", encoding="utf-8") as log:
        for n in range(count):
            if previous is not None and rng.random() < 0.05:
                # A client retrying a request it already made: it must not post twice.
                if services.post(previous, area=area, made_by=None).created:
                    raise AssertionError(f"retrying {previous.key} posted it again")
                tallies["retried"] += 1
                continue
            kind = rng.choices(kinds, weights)[0]
            source = rng.choice(accounts.members)
            if kind is Kind.GIFT:
                target = rng.choice([m for m in rng.sample(accounts.members, 2) if m != source])
            elif kind is Kind.DONATION:
                target = accounts.pot
            else:
                target = rng.choice(accounts.partners)
            spec = ledger.move(
                kind,
                str(source),
                str(target),
                rng.randint(1, 300),
                key=f"{KEY_PREFIX}:{seed}:{worker}:{n}",
                by="",
                reason="Load test",
            )
            try:
                services.post(spec, area=area, made_by=None)
            except (LedgerError, CoproductionError):
                tallies["refused"] += 1  # not enough credits: refused, and nothing written
                continue
            log.write(spec.key + "\n")
            log.flush()
            tallies["posted"] += 1
            previous = spec
    connections.close_all()
    return tallies


@dataclass(frozen=True)
class Audit:
    books_ok: bool
    unbalanced_transactions: int
    missing: list[str]  # keys a worker saw committed that the database does not hold
    extra: int  # committed transactions no worker recorded (at most one per killed worker)

    @property
    def ok(self) -> bool:
        return self.books_ok and not self.unbalanced_transactions and not self.missing


def audit(journals: list[Path], seed: int) -> Audit:
    """After a run: balances equal postings, totals are conserved, nothing lost or doubled."""
    from django.db.models import Sum

    books = services.check_books()
    unbalanced = Transaction.objects.annotate(total=Sum("postings__amount")).exclude(total=0).count()
    recorded = {line.strip() for path in journals if path.exists() for line in path.read_text().splitlines()}
    stored = set(
        Transaction.objects.filter(key__startswith=f"{KEY_PREFIX}:{seed}:").values_list("key", flat=True)
    )
    negative = Account.objects.filter(balance__lt=0).exclude(kind="issuance").count()
    return Audit(books.ok and negative == 0, unbalanced, sorted(recorded - stored), len(stored - recorded))
