"""How fast are the accounts and contacts lists at 100,000 of each? A measurement, not a test.

    .venv/bin/python bench/people_probe.py PATH.db [N]

Fills a fresh SQLite file (once; later runs reuse it) with N accounts (default
100,000) and N contacts, each contact at one account with an email and a phone,
then times the store calls the people screens make: the counts, a first and a
last window, a filter, and an account's and a contact's page (best of 5).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from store import accounts, clock, contacts  # noqa: E402
from store.db import open_database  # noqa: E402
from store.models import Account, Contact, Rep  # noqa: E402
from store.names import name_key  # noqa: E402

WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli",
         "Vandelay", "Wonka"]


def fill(database, n: int) -> None:
    now, rng = clock.now(), random.Random(3)
    with database.engine.begin() as connection:
        if connection.exec_driver_sql("SELECT count(*) FROM account").scalar():
            return
        connection.execute(insert(Rep), [{"handle": "alex", "name": "Alex", "created_at": now}])
        names = [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}" for i in range(n)]
        connection.execute(insert(Account), [
            {"id": i + 1, "name": name, "name_key": name_key(name), "created_at": now} for i, name in enumerate(names)
        ])
        names = [f"{rng.choice(WORDS)} Person {i}" for i in range(n)]
        connection.execute(insert(Contact), [
            {"id": i + 1, "account_id": i % n + 1, "name": name, "name_key": name_key(name),
             "email": f"p{i}@x.example", "phone": f"+1 555 {i:06d}", "created_at": now}
            for i, name in enumerate(names)
        ])


def best_of(database, label: str, call, runs: int = 5) -> None:
    best = float("inf")
    for _ in range(runs):
        with database.session() as session:
            start = time.perf_counter()
            call(session)
            best = min(best, time.perf_counter() - start)
    print(f"{label:<42} {best * 1000:7.1f} ms")


def main(argv: list[str]) -> int:
    path, n = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 100_000
    database = open_database(str(path))
    fill(database, n)
    last = n - 50
    best_of(database, "count_accounts", lambda s: accounts.count_accounts(s))
    best_of(database, "list_accounts, first window", lambda s: accounts.list_accounts(s))
    best_of(database, f"list_accounts, window at {last:,}", lambda s: accounts.list_accounts(s, offset=last))
    best_of(database, "count_accounts 'wonka'", lambda s: accounts.count_accounts(s, "wonka"))
    best_of(database, "list_accounts 'wonka', 10th window", lambda s: accounts.list_accounts(s, "wonka", offset=500))
    best_of(database, "count_contacts", lambda s: contacts.count_contacts(s))
    best_of(database, "list_contacts, first window", lambda s: contacts.list_contacts(s))
    best_of(database, f"list_contacts, window at {last:,}", lambda s: contacts.list_contacts(s, offset=last))
    best_of(database, "count_contacts 'p4242'", lambda s: contacts.count_contacts(s, "p4242"))
    best_of(database, "list_contacts 'hooli'", lambda s: contacts.list_contacts(s, "hooli"))
    best_of(database, "account_page", lambda s: accounts.account_page(s, n // 2))
    best_of(database, "contact_page", lambda s: contacts.contact_page(s, n // 2))
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
