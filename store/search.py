"""Search everything by words: deals (open and closed), accounts, contacts, notes and
activity outcomes, as the rep types.

Every word typed must be found, as the start of a word (``lake`` finds
``Lakeshore``), case and accents aside. A query is only ever split into plain words
(store.search_index.words): quotes, ``*``, ``-``, ``NEAR``, control characters are
separators or ordinary words, never operators, so no query can fail.

Results come grouped by kind, best first within each group, a few per group; each
hit carries what opening it needs (its deal, for a note or an activity; an account's
or contact's most recent deal) and two plain lines to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.models import Account, Activity, Contact, Deal, Note, Rep, Stage
from store.search_index import KINDS, has_index, words
from store.terms import LEAD, OPEN

DEAL, ACCOUNT, CONTACT, NOTE, ACTIVITY = KINDS
GROUP_TITLES = {DEAL: "Deals", ACCOUNT: "Accounts", CONTACT: "Contacts", NOTE: "Notes", ACTIVITY: "Activities"}
PER_GROUP = 5
MAX_TERMS = 8
SNIPPET = 60  # characters of context around the first word found


@dataclass(frozen=True)
class SearchHit:
    kind: str  # DEAL, ACCOUNT, CONTACT, NOTE or ACTIVITY
    id: int  # the deal's, account's, contact's, note's or activity's id
    # The deal to open for it: the deal itself; a note's or activity's deal; an
    # account's or contact's most recent deal (open ones first). None: it has none.
    deal_id: int | None
    label: str  # one line: the deal's title, the account's or contact's name; a note's or activity's deal title
    context: str  # one line: where it belongs, and for a note or activity the words around what was found
    pipeline: str | None = None  # deal_id's pipeline
    is_open: bool = True  # deal_id's deal is open
    account_id: int | None = None  # the account (of the deal; the contact's; the account itself)


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    title: str  # "Deals"
    hits: tuple[SearchHit, ...]
    more: bool  # more matched than the group shows


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: tuple[str, ...]  # what was searched for: folded words, each a prefix
    groups: tuple[SearchGroup, ...]  # kinds with hits only, in KINDS order

    @property
    def hits(self) -> list[SearchHit]:
        return [hit for group in self.groups for hit in group.hits]

    def group(self, kind: str) -> SearchGroup | None:
        return next((g for g in self.groups if g.kind == kind), None)


def query_terms(query: str) -> tuple[str, ...]:
    """The words of ``query`` searched for: folded, each at most once, at most MAX_TERMS.
    Empty when no word has two characters (one letter would match nearly everything)."""
    seen: list[str] = []
    for word in words(query or ""):
        if any(ch.isalnum() for ch in word) and word not in seen:
            seen.append(word)
    if not any(len(w) >= 2 for w in seen):
        return ()
    return tuple(seen[:MAX_TERMS])


def search_in(database, query: str, *, per_group: int = PER_GROUP) -> SearchResults:
    """``search`` on a session of its own: safe to call from any thread (a Textual worker)."""
    with database.session() as session:
        return search(session, query, per_group=per_group)


def search(session: Session, query: str, *, per_group: int = PER_GROUP) -> SearchResults:
    terms = query_terms(query)
    if not terms:
        return SearchResults(query, (), ())
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        find = _fts5 if has_index(connection) else _like
    else:
        find = _tsquery
    groups = []
    for kind in KINDS:
        ids = find(connection, kind, terms, per_group + 1)
        if ids:
            hits = _DESCRIBE[kind](session, ids[:per_group], terms)
            groups.append(SearchGroup(kind, GROUP_TITLES[kind], tuple(hits), len(ids) > per_group))
    return SearchResults(query, terms, tuple(groups))


# --- finding ids, best first ------------------------------------------------------------------

# Deals by relevance (a word in the title counts most); accounts and contacts too;
# notes and activities newest first (the latest conversation is the one looked for).
_FTS5_ORDER = {
    DEAL: "bm25(search_deal, 4.0, 2.0, 1.0), rowid DESC",
    ACCOUNT: "bm25(search_account, 2.0, 1.0), rowid DESC",
    CONTACT: "bm25(search_contact, 4.0, 1.0, 1.0, 1.0), rowid DESC",
    NOTE: "rowid DESC",
    ACTIVITY: "rowid DESC",
}


def _fts5(connection: Connection, kind: str, terms: tuple[str, ...], limit: int) -> list[int]:
    # Each term a quoted string with a prefix star: FTS5 reads nothing in it as an operator.
    match = " ".join(f'"{term}"*' for term in terms)
    table = f"search_{kind}"
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH :match ORDER BY {_FTS5_ORDER[kind]} LIMIT :limit"
    return list(connection.execute(text(sql), {"match": match, "limit": limit}).scalars())


def _tsquery(connection: Connection, kind: str, terms: tuple[str, ...], limit: int) -> list[int]:
    # Each term a quoted lexeme with a prefix mark; the terms hold no quote or backslash.
    query = " & ".join(f"'{term}':*" for term in terms)
    order = "ts_rank(words, q) DESC, id DESC" if kind in (DEAL, ACCOUNT, CONTACT) else "id DESC"
    sql = (f"SELECT id FROM search_{kind}, CAST(:query AS tsquery) AS q WHERE words @@ q "
           f"ORDER BY {order} LIMIT :limit")
    return list(connection.execute(text(sql), {"query": query, "limit": limit}).scalars())


def _like_any(columns, term: str):
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def _like(connection: Connection, kind: str, terms: tuple[str, ...], limit: int) -> list[int]:
    """Without FTS5: every term somewhere in the kind's text (SQLite folds ASCII case only;
    account and contact names are matched on their name_key, which folds everything)."""
    if kind == DEAL:
        statement = select(Deal.id).outerjoin(Account, Account.id == Deal.account_id)
        columns = [Deal.title, Deal.product, Account.name_key]
        key = Deal.id
    else:
        model = {ACCOUNT: Account, CONTACT: Contact, NOTE: Note, ACTIVITY: Activity}[kind]
        columns = {
            ACCOUNT: [Account.name_key, Account.domain],
            CONTACT: [Contact.name_key, Contact.email, Contact.phone, Contact.job_title],
            NOTE: [Note.body],
            ACTIVITY: [Activity.outcome],
        }[kind]
        statement = select(model.id)
        key = model.id
    for term in terms:
        statement = statement.where(_like_any(columns, term))
    return list(connection.execute(statement.order_by(key.desc()).limit(limit)).scalars())


# --- describing hits ---------------------------------------------------------------------------


def _ordered(rows, ids: list[int]) -> list:
    by_id = {row[0]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _deal_facts(session: Session, deal_ids) -> dict[int, tuple]:
    """deal id → (title, pipeline, open?, stage name, account name, owner name)."""
    rows = session.execute(
        select(Deal.id, Deal.title, Deal.pipeline, Stage.kind, Stage.name, Account.name, Rep.name)
        .join(Stage, Stage.id == Deal.stage_id)
        .join(Rep, Rep.id == Deal.owner_id)
        .outerjoin(Account, Account.id == Deal.account_id)
        .where(Deal.id.in_(set(deal_ids)))
    ).all()
    return {r[0]: (r[1], r[2], r[3] == OPEN, r[4], r[5], r[6]) for r in rows}


def _where(pipeline: str, stage: str, is_open: bool) -> str:
    kind = "Lead" if pipeline == LEAD else "Opportunity"
    return f"{kind} · {stage}" if is_open else f"{kind} · closed {stage.lower()}"


def _describe_deals(session: Session, ids: list[int], terms) -> list[SearchHit]:
    facts = _deal_facts(session, ids)
    accounts = dict(session.execute(select(Deal.id, Deal.account_id).where(Deal.id.in_(ids))).all())
    hits = []
    for deal_id in ids:
        if deal_id not in facts:
            continue  # removed since the index was read
        title, pipeline, is_open, stage, account, owner = facts[deal_id]
        context = " · ".join(part for part in (account, _where(pipeline, stage, is_open), owner) if part)
        hits.append(SearchHit(DEAL, deal_id, deal_id, title, context, pipeline, is_open, accounts.get(deal_id)))
    return hits


def _latest_deal(session: Session, *conditions) -> int | None:
    """The most recent open deal matching ``conditions``, else the most recently closed."""
    return session.execute(
        select(Deal.id).where(*conditions)
        .order_by(Deal.closed_at.is_(None).desc(), Deal.updated_at.desc(), Deal.id.desc()).limit(1)
    ).scalar()


def _deal_hit(session: Session, kind: str, row_id: int, deal_id: int | None, label: str, context: str,
              account_id: int | None) -> SearchHit:
    if deal_id is None:
        return SearchHit(kind, row_id, None, label, context, None, True, account_id)
    facts = _deal_facts(session, [deal_id]).get(deal_id)
    pipeline, is_open = (facts[1], facts[2]) if facts else (None, True)
    return SearchHit(kind, row_id, deal_id, label, context, pipeline, is_open, account_id)


def _describe_accounts(session: Session, ids: list[int], terms) -> list[SearchHit]:
    rows = _ordered(session.execute(select(Account.id, Account.name, Account.domain).where(Account.id.in_(ids))).all(),
                    ids)
    counts = dict(session.execute(
        select(Deal.account_id, func.count()).where(Deal.account_id.in_(ids)).group_by(Deal.account_id)
    ).all())
    hits = []
    for account_id, name, domain in rows:
        n = counts.get(account_id, 0)
        context = " · ".join(p for p in (domain, f"{n} deal{'' if n == 1 else 's'}") if p)
        deal_id = _latest_deal(session, Deal.account_id == account_id)
        hits.append(_deal_hit(session, ACCOUNT, account_id, deal_id, name, context, account_id))
    return hits


def _describe_contacts(session: Session, ids: list[int], terms) -> list[SearchHit]:
    rows = _ordered(session.execute(
        select(Contact.id, Contact.name, Contact.job_title, Contact.email, Contact.phone, Contact.account_id,
               Account.name)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(Contact.id.in_(ids))
    ).all(), ids)
    hits = []
    for contact_id, name, job_title, email, phone, account_id, account in rows:
        context = " · ".join(p for p in (job_title, account, email, phone) if p)
        deal_id = _latest_deal(session, Deal.contact_id == contact_id)
        if deal_id is None and account_id is not None:
            deal_id = _latest_deal(session, Deal.account_id == account_id)
        hits.append(_deal_hit(session, CONTACT, contact_id, deal_id, name, context, account_id))
    return hits


def _describe_texts(session: Session, kind: str, rows, terms) -> list[SearchHit]:
    """Notes and activities: (id, deal id, text, prefix) rows; the label is the deal's title."""
    facts = _deal_facts(session, [row[1] for row in rows])
    accounts = dict(session.execute(
        select(Deal.id, Deal.account_id).where(Deal.id.in_({row[1] for row in rows}))
    ).all())
    hits = []
    for row_id, deal_id, body, prefix in rows:
        title, pipeline, is_open, _stage, _account, _owner = facts[deal_id]
        hits.append(SearchHit(kind, row_id, deal_id, title, prefix + snippet(body, terms), pipeline, is_open,
                              accounts.get(deal_id)))
    return hits


def _describe_notes(session: Session, ids: list[int], terms) -> list[SearchHit]:
    rows = _ordered(session.execute(select(Note.id, Note.deal_id, Note.body).where(Note.id.in_(ids))).all(), ids)
    return _describe_texts(session, NOTE, [(i, d, body, "Note: ") for i, d, body in rows], terms)


def _describe_activities(session: Session, ids: list[int], terms) -> list[SearchHit]:
    rows = _ordered(session.execute(
        select(Activity.id, Activity.deal_id, Activity.outcome, Activity.type).where(Activity.id.in_(ids))
    ).all(), ids)
    return _describe_texts(session, ACTIVITY, [(i, d, outcome, f"{kind.capitalize()}: ") for i, d, outcome, kind in rows],
                           terms)


_DESCRIBE = {
    DEAL: _describe_deals,
    ACCOUNT: _describe_accounts,
    CONTACT: _describe_contacts,
    NOTE: _describe_notes,
    ACTIVITY: _describe_activities,
}


def snippet(body: str, terms, width: int = SNIPPET) -> str:
    """One line of ``body`` around the first word that starts with one of ``terms``
    (folded as the index folds), ``…`` where it was cut."""
    flat = " ".join((body or "").split())
    if len(flat) <= width:
        return flat
    start = _first_match(flat, terms)
    begin = max(0, min(start - width // 3, len(flat) - width))
    if begin:  # start on a word
        space = flat.find(" ", begin - 1)
        begin = space + 1 if 0 <= space < start else begin
    piece = flat[begin:begin + width]
    return ("…" if begin else "") + piece.rstrip() + ("…" if begin + width < len(flat) else "")


def _first_match(flat: str, terms) -> int:
    position = 0
    for word in flat.split(" "):
        folded = words(word)
        if any(part.startswith(term) for part in folded for term in terms):
            return position
        position += len(word) + 1
    return 0
