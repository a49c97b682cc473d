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

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.models import Account, Activity, Contact, Deal, Note
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
    A word of one letter is left out: as a prefix it matches nearly every row, which
    costs more than everything else the search does (30 ms at 10,000 deals) and narrows
    nothing a second letter would not."""
    seen: list[str] = []
    for word in words(query or ""):
        if len(word) >= 2 and any(ch.isalnum() for ch in word) and word not in seen:
            seen.append(word)
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
    if connection.dialect.name != "sqlite":
        found = _ranked(connection, _TSQUERY, {"query": " & ".join(f"'{t}':*" for t in terms)}, per_group + 1)
    elif has_index(connection):
        # Each term a quoted string with a prefix star: FTS5 reads nothing in it as an operator.
        found = _ranked(connection, _FTS5, {"match": " ".join(f'"{t}"*' for t in terms)}, per_group + 1)
    else:
        found = {kind: _like(connection, kind, terms, per_group + 1) for kind in KINDS}
    shown = {kind: ids[:per_group] for kind, ids in found.items() if ids}
    rows = {kind: _rows(connection, kind, ids) for kind, ids in shown.items() if kind != DEAL}
    deal_ids = set(shown.get(DEAL, ()))
    deal_ids |= {row[-1] for kind in (ACCOUNT, CONTACT) for row in rows.get(kind, ()) if row[-1] is not None}
    deal_ids |= {row[1] for kind in (NOTE, ACTIVITY) for row in rows.get(kind, ())}
    facts = _deal_facts(connection, deal_ids)
    groups = []
    for kind in KINDS:
        if kind not in shown:
            continue
        if kind == DEAL:
            hits = [_deal_hit(facts[i]) for i in shown[DEAL] if i in facts]  # (one deleted meanwhile: left out)
        else:
            hits = [_HIT[kind](row, facts, terms) for row in rows[kind]]
        if hits:
            groups.append(SearchGroup(kind, GROUP_TITLES[kind], tuple(hits), len(found[kind]) > per_group))
    return SearchResults(query, terms, tuple(groups))


# --- finding ids, best first: one statement for the five kinds ------------------------------------

# Deals by relevance (a word in the title counts most); accounts and contacts too;
# notes and activities newest first (the latest conversation is the one looked for).
# Each part gives (kind, id, score): lower scores first, then newer rows.
# Relevance is ranked among the RANKED newest matches: scoring every match of a
# two-letter prefix (10,000 deals at scale) costs 15 ms a kind, these 500 under 3 ms;
# by the time a query is typed out, it has fewer matches than that and all are ranked.
RANKED = 500


def _fts5_ranked(kind: str, weights: str) -> str:
    table = f"search_{kind}"
    newest = (f"SELECT min(rowid) FROM (SELECT rowid FROM {table} WHERE {table} MATCH :match "
              f"ORDER BY rowid DESC LIMIT {RANKED})")
    return (f"SELECT rowid AS id, bm25({table}, {weights}) AS score FROM {table} "
            f"WHERE {table} MATCH :match AND rowid >= ({newest}) ORDER BY score, rowid DESC LIMIT :limit")


_FTS5 = {
    DEAL: _fts5_ranked(DEAL, "4.0, 2.0, 1.0"),
    ACCOUNT: _fts5_ranked(ACCOUNT, "2.0, 1.0"),
    CONTACT: _fts5_ranked(CONTACT, "4.0, 1.0, 1.0, 1.0"),
    NOTE: "SELECT rowid AS id, 0.0 AS score FROM search_note WHERE search_note MATCH :match "
          "ORDER BY rowid DESC LIMIT :limit",
    ACTIVITY: "SELECT rowid AS id, 0.0 AS score FROM search_activity WHERE search_activity MATCH :match "
              "ORDER BY rowid DESC LIMIT :limit",
}


def _tsquery_part(kind: str) -> str:
    # The terms hold no quote or backslash: each is a quoted lexeme with a prefix mark.
    # "id + 0": ordered by the primary key, PostgreSQL would walk it newest first testing
    # every row (the whole table when nothing matches) instead of asking the GIN index.
    table, query = f"search_{kind}", "CAST(:query AS tsquery)"
    if kind in (NOTE, ACTIVITY):
        return f"SELECT id, 0.0 AS score FROM {table} WHERE words @@ {query} ORDER BY id + 0 DESC LIMIT :limit"
    newest = (f"SELECT min(id) FROM (SELECT id FROM {table} WHERE words @@ {query} "
              f"ORDER BY id + 0 DESC LIMIT {RANKED}) AS n")
    return (f"SELECT id, -ts_rank(words, {query}) AS score FROM {table} WHERE words @@ {query} "
            f"AND id >= ({newest}) ORDER BY score, id DESC LIMIT :limit")


_TSQUERY = {kind: _tsquery_part(kind) for kind in KINDS}


def _ranked(connection: Connection, parts: dict[str, str], params: dict, limit: int) -> dict[str, list[int]]:
    sql = " UNION ALL ".join(f"SELECT '{kind}' AS kind, id, score FROM ({part}) AS {kind}_found"
                             for kind, part in parts.items())
    found: dict[str, list[tuple[float, int]]] = {kind: [] for kind in KINDS}
    for kind, row_id, score in connection.execute(text(sql), {**params, "limit": limit}):
        found[kind].append((score, -row_id))
    return {kind: [-negative for _score, negative in sorted(pairs)] for kind, pairs in found.items()}


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


# --- describing hits: one statement per kind found, and one for every deal involved -----------------


def _latest_deal(where: str) -> str:
    """The most recent open deal matching ``where``, else the most recently closed one."""
    return (f"(SELECT d.id FROM deal d WHERE {where} ORDER BY "
            "CASE WHEN d.closed_at IS NULL THEN 0 ELSE 1 END, d.updated_at DESC, d.id DESC LIMIT 1)")


_ROWS = {
    # (id, …, the deal to open)
    ACCOUNT: "SELECT a.id, a.name, a.domain, (SELECT count(*) FROM deal d WHERE d.account_id = a.id), "
             f"{_latest_deal('d.account_id = a.id')} FROM account a WHERE a.id IN :ids",
    # A contact's deal: the contact's own among its account's, else the account's (deal.contact_id has no index).
    CONTACT: "SELECT c.id, c.name, c.job_title, c.email, c.phone, c.account_id, a.name, "
             f"coalesce({_latest_deal('d.account_id = c.account_id AND d.contact_id = c.id')}, "
             f"{_latest_deal('d.account_id = c.account_id')}) "
             "FROM contact c LEFT JOIN account a ON a.id = c.account_id WHERE c.id IN :ids",
    NOTE: "SELECT n.id, n.deal_id, n.body FROM note n WHERE n.id IN :ids",
    ACTIVITY: "SELECT a.id, a.deal_id, a.outcome, a.type FROM activity a WHERE a.id IN :ids",
}


def _rows(connection: Connection, kind: str, ids: list[int]) -> list:
    statement = text(_ROWS[kind]).bindparams(bindparam("ids", expanding=True))
    by_id = {row[0]: tuple(row) for row in connection.execute(statement, {"ids": ids})}
    return [by_id[i] for i in ids if i in by_id]


_DEAL_FACTS = text(
    "SELECT d.id, d.title, d.pipeline, s.kind, s.name, a.name, r.name, d.account_id FROM deal d "
    "JOIN stage s ON s.id = d.stage_id JOIN rep r ON r.id = d.owner_id LEFT JOIN account a ON a.id = d.account_id "
    "WHERE d.id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _deal_facts(connection: Connection, deal_ids: set[int]) -> dict[int, tuple]:
    """deal id → (id, title, pipeline, stage kind, stage name, account name, owner name, account id)."""
    if not deal_ids:
        return {}
    return {row[0]: tuple(row) for row in connection.execute(_DEAL_FACTS, {"ids": sorted(deal_ids)})}


def _where(pipeline: str, stage: str, is_open: bool) -> str:
    kind = "Lead" if pipeline == LEAD else "Opportunity"
    return f"{kind} · {stage}" if is_open else f"{kind} · closed {stage.lower()}"


def _deal_hit(fact: tuple) -> SearchHit:
    deal_id, title, pipeline, stage_kind, stage, account, owner, account_id = fact
    is_open = stage_kind == OPEN
    context = " · ".join(part for part in (account, _where(pipeline, stage, is_open), owner) if part)
    return SearchHit(DEAL, deal_id, deal_id, title, context, pipeline, is_open, account_id)


def _opens(kind: str, row_id: int, deal_id: int | None, label: str, context: str, account_id: int | None,
           facts: dict) -> SearchHit:
    fact = facts.get(deal_id)
    if fact is None:
        return SearchHit(kind, row_id, None, label, context, None, True, account_id)
    return SearchHit(kind, row_id, deal_id, label, context, fact[2], fact[3] == OPEN, account_id)


def _account_hit(row: tuple, facts: dict, terms) -> SearchHit:
    account_id, name, domain, n, deal_id = row
    context = " · ".join(p for p in (domain, f"{n} deal{'' if n == 1 else 's'}") if p)
    return _opens(ACCOUNT, account_id, deal_id, name, context, account_id, facts)


def _contact_hit(row: tuple, facts: dict, terms) -> SearchHit:
    contact_id, name, job_title, email, phone, account_id, account, deal_id = row
    context = " · ".join(p for p in (job_title, account, email, phone) if p)
    return _opens(CONTACT, contact_id, deal_id, name, context, account_id, facts)


def _text_hit(kind: str, row_id: int, deal_id: int, body: str, prefix: str, facts: dict, terms) -> SearchHit:
    fact = facts[deal_id]
    return SearchHit(kind, row_id, deal_id, fact[1], prefix + snippet(body, terms), fact[2], fact[3] == OPEN, fact[7])


_HIT = {
    ACCOUNT: _account_hit,
    CONTACT: _contact_hit,
    NOTE: lambda row, facts, terms: _text_hit(NOTE, row[0], row[1], row[2], "Note: ", facts, terms),
    ACTIVITY: lambda row, facts, terms: _text_hit(ACTIVITY, row[0], row[1], row[2], f"{row[3].capitalize()}: ",
                                                  facts, terms),
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
