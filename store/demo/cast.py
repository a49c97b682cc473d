"""The demo's deals before their stories: who owns each, what becomes of it (open, won,
lost, converted), the account and contacts it is with, and what it is worth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.demo.plan import DealPlan, allocate, fit, slug, weighted
from store.demo.words import (
    COMPANY_MIDDLE,
    COMPANY_WORDS,
    CONTACT_FIRST,
    CONTACT_LAST,
    INDUSTRIES,
    JOB_TITLES,
    LEAD_SOURCES,
    MONTHS,
    NA_AREAS,
    OPP_SOURCES,
    PRODUCT_DEALS,
)
from store.models import LEAD, OPPORTUNITY
from store.money import format_money

if TYPE_CHECKING:
    from store.demo.builder import Builder
    from store.demo.team import RepPlan


def _company(b: Builder, used: set[str]) -> tuple[str, tuple]:
    rng = b.rng
    for attempt in range(80):
        word = rng.choice(COMPANY_WORDS)
        industry = rng.choice(INDUSTRIES)
        if attempt < 20:
            name = f"{word} {industry[0]}"
        elif attempt < 50:
            name = f"{word} {rng.choice(COMPANY_MIDDLE)} {industry[0]}"
        else:
            name = f"{rng.choice(COMPANY_MIDDLE)} {word} {industry[0]} {rng.randint(2, 999)}"
        if name.lower() not in used:
            used.add(name.lower())
            return name, industry
    raise AssertionError("ran out of company names")  # pragma: no cover


def _new_account(b: Builder, rep: RepPlan, used: set[str]) -> dict:
    rng = b.rng
    name, industry = _company(b, used)
    stem = name[: name.index(industry[0])].strip() if industry[0] in name else name
    domain = (slug(name) if any(ch.isdigit() for ch in name) else slug(stem) + industry[1]) + rep.tld
    account = {"id": None, "name": name, "domain": domain, "created_at": None, "industry": industry,
               "products": [], "contacts": []}
    for _ in range(2 if rng.random() < 0.25 else 1):
        first, last = rng.choice(CONTACT_FIRST), rng.choice(CONTACT_LAST)
        if rep.phone is not None:
            phone = rep.phone.format(rng.randint(0, 999 if "{:03d}" in rep.phone else 9999))
        else:
            phone = f"+1 {rng.choice(NA_AREAS)} 555 01{rng.randint(0, 99):02d}"
        account["contacts"].append({
            "id": None, "name": f"{first} {last}", "email": f"{slug(first)}.{slug(last)}@{domain}",
            "phone": phone, "job_title": rng.choice(JOB_TITLES), "account": account,
            "n": len(b.contacts),
        })
        b.contacts.append(account["contacts"][-1])
    b.accounts.append(account)
    return account


def cast(b: Builder, reps: list[RepPlan]) -> list[DealPlan]:
    """Every deal of the demo, with its owner, account, contact, value and fate."""
    rng, size = b.rng, b.size
    total = size.leads + size.opportunities
    owners = [reps[i % len(reps)] for i in range(total)]
    rng.shuffle(owners)
    n_lead, n_opp = len(b.open[LEAD]), len(b.open[OPPORTUNITY])
    # What becomes of the deals: (pipeline it ends in, stage index, None / "won" / "lost").
    conv, disq, lead_open = allocate(size.leads, (0.22, 0.20, 0.58))
    lead_ends: list[tuple] = [("convert", 0, None)] * conv
    for idx, count in enumerate(allocate(disq, fit((0.2, 0.45, 0.2, 0.15), n_lead), minimum=0)):
        lead_ends += [(LEAD, idx, "lost")] * count
    for idx, count in enumerate(allocate(lead_open, fit((0.3, 0.3, 0.2, 0.2), n_lead))):
        lead_ends += [(LEAD, idx, None)] * count
    opp_open, won, lost = allocate(size.opportunities + conv, (0.45, 0.22, 0.33))
    opp_ends: list[tuple] = []
    for idx, count in enumerate(allocate(opp_open, fit((0.33, 0.27, 0.22, 0.18), n_opp))):
        opp_ends += [(OPPORTUNITY, idx, None)] * count
    for _ in range(won):
        opp_ends.append((OPPORTUNITY, n_opp - 1 if rng.random() < 0.8 else max(0, n_opp - 2), "won"))
    for idx, count in enumerate(allocate(lost, fit((0.35, 0.3, 0.22, 0.13), n_opp), minimum=0)):
        opp_ends += [(OPPORTUNITY, idx, "lost")] * count
    rng.shuffle(lead_ends)
    rng.shuffle(opp_ends)
    converted, direct = iter(opp_ends[:conv]), iter(opp_ends[conv:])

    used: set[str] = set()
    accounts_by_rep: dict[int, list[dict]] = {}
    deals: list[DealPlan] = []
    for n in range(total):
        d = DealPlan(n, owners[n])
        if n < size.leads:
            d.born = LEAD
            end = lead_ends[n]
            if end[0] == "convert":
                end = next(converted)
            d.source = weighted(rng, LEAD_SOURCES)
        else:
            d.born = OPPORTUNITY
            end = next(direct)
            d.source = weighted(rng, OPP_SOURCES)
        d.final = (end[0], end[1])
        d.end_kind = end[2]
        mine = accounts_by_rep.setdefault(d.rep.id, [])
        if mine and rng.random() < 0.14:
            account = rng.choice(mine)  # a second deal at an account: cross-sell or expansion
            others = [p for p in account["industry"][3] if p not in account["products"]]
            d.product = rng.choice(others or account["industry"][3])
        else:
            account = _new_account(b, d.rep, used)
            mine.append(account)
            d.product = rng.choice(account["industry"][3])
        contact = account["contacts"][0]
        d.account, d.contact = account, contact
        d.territory = d.rep.territory
        industry = account["industry"]
        base, phrases = PRODUCT_DEALS[d.product]
        things = rng.choice((8, 12, 15, 20, 25, 30, 40, 60, 80, 120))
        phrase = rng.choice(phrases).format(n=things)
        if account["products"] and rng.random() < 0.5:
            phrase = f"{d.product.lower()} {rng.choice(('expansion', 'add-on'))}"
        account["products"].append(d.product)
        d.title = f"{account['name']} — {phrase}"
        dollars = min(250_000, max(5_000, rng.lognormvariate(0, 0.75) * base))
        step = 1_000 if d.born == LEAD else 500
        d.value = int(round(dollars / step)) * step * 100
        d.fields = {
            "first": contact["name"].split(" ")[0],
            "company": account["name"],
            "product": d.product,
            "industry": industry[2],
            "unit": industry[4],
            "n": things,
            "small": rng.randint(2, 5),
            "pct": rng.choice((15, 20, 25, 30, 35, 40)),
            "term": rng.choice((1, 1, 2, 3)),
            "month": MONTHS[rng.randrange(12)],
            "title": contact["job_title"],
            "value": format_money(d.value, b.currency),
        }
        deals.append(d)
    return deals
