"""The search index: what words each deal, account, contact, note and activity is found by,
kept in step with every write by triggers in the database itself.

Triggers, not Python, keep it: the importer and the demo builder insert tens of
thousands of rows with plain ``executemany`` / ``COPY`` (store.importer,
store.demo), a rename goes through the ORM, and all of them must be found by the
next search. One index table per kind (``search_deal`` …), keyed by the row's id:

- SQLite: FTS5 tables with the ``unicode61`` tokenizer, which folds case and
  drops accents (``remove_diacritics 2``). Notes and activities point at their
  own tables (external content), so their text is not stored twice.
- PostgreSQL: a ``tsvector`` per row, built by ``legwork_search_words`` from the
  text folded by ``FOLD`` (case, accents, punctuation as a space), with a GIN
  index. The words go in verbatim (``array_to_tsvector``), never through a text
  search parser, so the query side (store.search) folds and splits exactly the
  same way in Python.

A database whose SQLite lacks FTS5 gets no index at all; store.search then falls
back to ``LIKE`` (see ``has_index``).

A later migration that makes SQLite copy one of the indexed tables (Alembic's
batch "move and copy") drops its triggers with it: ``missing_triggers`` names
them, and a test holds the head to it.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import text
from sqlalchemy.engine import Connection

from store.names import name_key

KINDS = ("deal", "account", "contact", "note", "activity")
TABLES = {kind: f"search_{kind}" for kind in KINDS}
# A word longer than this is not indexed (nobody types it; PostgreSQL caps a lexeme at 2 KB).
MAX_WORD = 100

# --- folding: one table, used by the PostgreSQL index and by every query -------------------------

_SEPARATORS = (
    "".join(ch for ch in map(chr, range(1, 0x80)) if not ch.isalnum())
    + "".join(map(chr, range(0x80, 0xA0)))  # C1 controls
    + "\u00a0\u00a1\u00ab\u00b7\u00bb\u00bf\u2022\u2026\u2027\u3000\u3001\u3002\ufeff"
    + "".join(map(chr, chain(range(0x2000, 0x200C), range(0x2010, 0x2020), range(0x2028, 0x2030))))
    + "".join(map(chr, range(0x2066, 0x206A)))
)
_ACCENTS = "".join(map(chr, range(0x0300, 0x0370)))  # decomposed accents: dropped


def _fold_pairs() -> list[tuple[str, str]]:
    pairs = []
    for code in chain(range(0x41, 0x5B), range(0xC0, 0x250), range(0x370, 0x530), range(0x1E00, 0x1F00)):
        ch = chr(code)
        key = name_key(ch)  # the accounts' rule: accents and case dropped
        if len(key) == 1 and key != ch and key not in _SEPARATORS:
            pairs.append((ch, key))
    return pairs


_PAIRS = _fold_pairs()
FOLD_FROM = "".join(a for a, _ in _PAIRS) + _SEPARATORS + _ACCENTS
FOLD_TO = "".join(b for _, b in _PAIRS) + " " * len(_SEPARATORS)  # shorter: the accents are deleted
FOLD = str.maketrans(FOLD_FROM[: len(FOLD_TO)], FOLD_TO, _ACCENTS)


def words(text_: str | None) -> list[str]:
    """``"Électricité-Dupont (Lyon)"`` → ``["electricite", "dupont", "lyon"]``: the words a
    text is indexed by on PostgreSQL, and the terms a query is split into on both backends."""
    if not text_:
        return []
    # NUL separates too (PostgreSQL text cannot hold one, so it is not in FOLD).
    return [w for w in text_.replace("\x00", " ").translate(FOLD).split(" ") if w and len(w) <= MAX_WORD]


# --- what each kind is found by --------------------------------------------------------------------

# SQLite FTS5 columns per kind, and the SQL giving them for a row ``r`` of the kind's table.
_SQLITE_COLUMNS = {
    "deal": {"title": "r.title", "account": "(SELECT a.name FROM account a WHERE a.id = r.account_id)",
             "product": "r.product"},
    "account": {"name": "r.name", "domain": "r.domain"},
    "contact": {"name": "r.name", "email": "r.email", "phone": "r.phone", "job_title": "r.job_title"},
}
# External content: the FTS table reads these columns of the kind's own table.
_SQLITE_EXTERNAL = {"note": "body", "activity": "outcome"}
# The columns whose change re-indexes a row.
WATCHED = {
    "deal": ("title", "product", "account_id"),
    "account": ("name", "domain"),
    "contact": ("name", "email", "phone", "job_title"),
    "note": ("body",),
    "activity": ("outcome",),
}
_PG_TEXT = {
    "deal": "concat_ws(' ', r.title, (SELECT a.name FROM account a WHERE a.id = r.account_id), r.product)",
    "account": "concat_ws(' ', r.name, r.domain)",
    "contact": "concat_ws(' ', r.name, r.email, r.phone, r.job_title)",
    "note": "r.body",
    "activity": "r.outcome",
}


def is_index_table(name: str) -> bool:
    """A table of the index (FTS5 adds its own shadow tables): outside the models, by design."""
    return name.startswith("search_")


def include_name(name, type_, _parent) -> bool:
    """For Alembic's ``include_name``: compare the models' tables, not the index's."""
    return not (type_ == "table" and name and is_index_table(name))


def trigger_names(dialect: str) -> set[str]:
    if dialect == "sqlite":
        names = {f"search_{kind}_{op}" for kind in KINDS for op in ("added", "changed", "removed")}
        return names | {"search_account_renamed"}
    return {f"search_{kind}_{op}" for kind in KINDS for op in ("added", "changed", "removed")}


def fts5_available(connection: Connection) -> bool:
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE VIRTUAL TABLE temp.legwork_fts5_probe USING fts5(x)")
            connection.exec_driver_sql("DROP TABLE temp.legwork_fts5_probe")
        return True
    except Exception:  # "no such module: fts5"
        return False


def create(connection: Connection) -> bool:
    """Create the index tables and their triggers and fill them from the rows there are.
    False: this SQLite has no FTS5, so there is no index (searches use LIKE)."""
    if connection.dialect.name == "sqlite":
        if not fts5_available(connection):
            return False
        for statement in _sqlite_ddl():
            connection.exec_driver_sql(statement)
    else:
        for statement in _pg_ddl():
            connection.exec_driver_sql(statement.replace("%", "%%"))  # the driver's placeholders
    return True


def drop(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    for name in sorted(trigger_names(connection.dialect.name)):
        if sqlite:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            table = next(kind for kind in KINDS if name.startswith(f"search_{kind}_"))
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for table in TABLES.values():
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    if not sqlite:
        for kind in KINDS:
            for op in ("added", "changed", "removed"):
                connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS legwork_search_{kind}_{op}()")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS legwork_search_words(text)")


def has_index(connection: Connection) -> bool:
    """Whether this database has the search index (False: a SQLite without FTS5 made it)."""
    if connection.dialect.name == "sqlite":
        found = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'search_deal'")
        ).scalar()
    else:
        found = connection.execute(text("SELECT to_regclass('search_deal') IS NOT NULL")).scalar()
    return bool(found)


def missing_triggers(connection: Connection) -> set[str]:
    """The index's triggers this database lacks (a table copied by a later migration loses its own)."""
    if connection.dialect.name == "sqlite":
        have = set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    else:
        have = set(connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    return trigger_names(connection.dialect.name) - have


# --- SQLite -------------------------------------------------------------------------------------

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"


def _sqlite_ddl() -> list[str]:
    out = []
    for kind, columns in _SQLITE_COLUMNS.items():
        table = TABLES[kind]
        names = ", ".join(columns)
        values = ", ".join(columns.values())
        out.append(f"CREATE VIRTUAL TABLE {table} USING fts5({names}, {_TOKENIZE})")
        out.append(f"INSERT INTO {table} (rowid, {names}) SELECT r.id, {values} FROM {kind} r")
        new_values = values.replace("r.", "new.")
        insert = f"INSERT INTO {table} (rowid, {names}) VALUES (new.id, {new_values});"
        out.append(f"CREATE TRIGGER search_{kind}_added AFTER INSERT ON {kind} BEGIN {insert} END")
        out.append(
            f"CREATE TRIGGER search_{kind}_changed AFTER UPDATE OF {', '.join(WATCHED[kind])} ON {kind} "
            f"BEGIN DELETE FROM {table} WHERE rowid = old.id; {insert} END"
        )
        out.append(f"CREATE TRIGGER search_{kind}_removed AFTER DELETE ON {kind} "
                   f"BEGIN DELETE FROM {table} WHERE rowid = old.id; END")
    deal_columns = _SQLITE_COLUMNS["deal"]
    out.append(
        "CREATE TRIGGER search_account_renamed AFTER UPDATE OF name ON account WHEN old.name IS NOT new.name BEGIN "
        "DELETE FROM search_deal WHERE rowid IN (SELECT id FROM deal WHERE account_id = new.id); "
        f"INSERT INTO search_deal (rowid, {', '.join(deal_columns)}) "
        f"SELECT r.id, {', '.join(deal_columns.values())} FROM deal r WHERE r.account_id = new.id; END"
    )
    for kind, column in _SQLITE_EXTERNAL.items():
        table = TABLES[kind]
        out.append(f"CREATE VIRTUAL TABLE {table} USING fts5({column}, content = '{kind}', content_rowid = 'id', "
                   f"{_TOKENIZE})")
        out.append(f"INSERT INTO {table} ({table}) VALUES ('rebuild')")
        insert = f"INSERT INTO {table} (rowid, {column}) VALUES (new.id, new.{column});"
        delete = f"INSERT INTO {table} ({table}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
        out.append(f"CREATE TRIGGER search_{kind}_added AFTER INSERT ON {kind} BEGIN {insert} END")
        out.append(f"CREATE TRIGGER search_{kind}_changed AFTER UPDATE OF {column} ON {kind} BEGIN {delete} {insert} END")
        out.append(f"CREATE TRIGGER search_{kind}_removed AFTER DELETE ON {kind} BEGIN {delete} END")
    return out


# --- PostgreSQL ---------------------------------------------------------------------------------


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_ddl() -> list[str]:
    fold_from, fold_to = _literal(FOLD_FROM), _literal(FOLD_TO)
    out = [
        # The words of a text, folded as store.search_index.words folds them in Python.
        "CREATE OR REPLACE FUNCTION legwork_search_words(body text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ "
        "SELECT array_to_tsvector(coalesce(array_agg(DISTINCT w), '{}'::text[])) "
        f"FROM unnest(string_to_array(translate(coalesce(body, ''), {fold_from}, {fold_to}), ' ')) AS w "
        f"WHERE w <> '' AND char_length(w) <= {MAX_WORD} $fn$"
    ]
    for kind in KINDS:
        table, words_of = TABLES[kind], f"legwork_search_words({_PG_TEXT[kind]})"
        upsert = (f"INSERT INTO {table} (id, words) SELECT r.id, {words_of} FROM {{rows}} WHERE {words_of} <> '' "
                  "ON CONFLICT (id) DO UPDATE SET words = EXCLUDED.words;")
        out += [
            f"CREATE TABLE {table} (id integer PRIMARY KEY, words tsvector NOT NULL)",
            f"CREATE INDEX ix_{table}_words ON {table} USING gin (words)",
            upsert.format(rows=f"{kind} r"),
            # Inserts and deletes, one statement at a time (COPY and executemany included).
            f"CREATE FUNCTION legwork_search_{kind}_added() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            + upsert.format(rows="added r") + " RETURN NULL; END $fn$",
            f"CREATE TRIGGER search_{kind}_added AFTER INSERT ON {kind} REFERENCING NEW TABLE AS added "
            f"FOR EACH STATEMENT EXECUTE FUNCTION legwork_search_{kind}_added()",
            f"CREATE FUNCTION legwork_search_{kind}_removed() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"DELETE FROM {table} WHERE id IN (SELECT id FROM removed); RETURN NULL; END $fn$",
            f"CREATE TRIGGER search_{kind}_removed AFTER DELETE ON {kind} REFERENCING OLD TABLE AS removed "
            f"FOR EACH STATEMENT EXECUTE FUNCTION legwork_search_{kind}_removed()",
        ]
        renamed = ""
        if kind == "account":  # the account's deals are found by its name too
            deal_words = f"legwork_search_words({_PG_TEXT['deal']})"
            renamed = (
                "IF OLD.name IS DISTINCT FROM NEW.name THEN "
                f"DELETE FROM search_deal WHERE id IN (SELECT id FROM deal WHERE account_id = NEW.id); "
                f"INSERT INTO search_deal (id, words) SELECT r.id, {deal_words} FROM deal r "
                f"WHERE r.account_id = NEW.id AND {deal_words} <> ''; END IF; "
            )
        # Updates, a row at a time (PostgreSQL allows no transition table with a column list).
        out += [
            f"CREATE FUNCTION legwork_search_{kind}_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"DELETE FROM {table} WHERE id = OLD.id; " + upsert.format(rows="(SELECT NEW.*) r") + " "
            + renamed + "RETURN NULL; END $fn$",
            f"CREATE TRIGGER search_{kind}_changed AFTER UPDATE OF {', '.join(WATCHED[kind])} ON {kind} "
            f"FOR EACH ROW EXECUTE FUNCTION legwork_search_{kind}_changed()",
        ]
    return out
