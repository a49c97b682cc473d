"""The boards: column totals, card windows in urgency order, summaries, change tokens.

Every expected number below is worked out from the fixture rows written next to
it, under the frozen clock (Wednesday 2026-11-18 14:30 UTC).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pendulum
import pytest
from sqlalchemy import event
from sqlmodel import select

from store import activities, board, changes, deals, reps, settings, stages, tasks
from store.board import BoardFilter
from store.errors import InvalidInput, NotFound
from store.models import LEAD, OPPORTUNITY, Account, Contact, Deal, Rep, Setting, Task
from tests.conftest import FIXED_NOW

UTC = "UTC"
TOKYO = "Asia/Tokyo"  # UTC+9
LOS_ANGELES = "America/Los_Angeles"  # UTC-8 in November


def at(*args) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz="UTC")


def day(y, m, d) -> date:
    return date(y, m, d)


# --- building rows by hand -------------------------------------------------------------------


def stage_ids(session, pipeline: str) -> dict[str, int]:
    return {s.name: s.id for s in stages.list_stages(session, pipeline)}


def _account(session, name: str | None) -> int | None:
    if name is None:
        return None
    found = session.exec(select(Account.id).where(Account.name == name)).first()
    if found:
        return found
    account = Account(name=name, created_at=FIXED_NOW)
    session.add(account)
    session.flush()
    return account.id


def _contact(session, name: str | None, account_id: int | None) -> int | None:
    if name is None:
        return None
    contact = Contact(name=name, account_id=account_id, created_at=FIXED_NOW)
    session.add(contact)
    session.flush()
    return contact.id


def add_deal(
    session,
    pipeline: str,
    stage: str,
    title: str,
    *,
    owner: int,
    value: int = 0,
    close: date | None = None,
    territory: str | None = None,
    product: str | None = None,
    source: str | None = None,
    account: str | None = None,
    contact: str | None = None,
    created: pendulum.DateTime = FIXED_NOW,
    entered: pendulum.DateTime | None = None,
    last_activity: pendulum.DateTime | None = None,
    closed: pendulum.DateTime | None = None,
    converted: pendulum.DateTime | None = None,
) -> int:
    account_id = _account(session, account)
    deal = Deal(
        pipeline=pipeline,
        stage_id=stage_ids(session, pipeline)[stage],
        title=title,
        account_id=account_id,
        contact_id=_contact(session, contact, account_id),
        owner_id=owner,
        value=value,
        expected_close=close,
        territory=territory,
        product=product,
        source=source,
        created_at=created,
        stage_entered_at=entered or created,
        last_activity_at=last_activity,
        closed_at=closed,
        converted_at=converted,
        version=1,
        updated_at=created,
    )
    session.add(deal)
    session.flush()
    return deal.id


def add_task(session, deal_id: int, owner: int, due: date, title: str = "Call", *, done: bool = False) -> int:
    task = Task(
        deal_id=deal_id, owner_id=owner, title=title, due=due, done_at=FIXED_NOW if done else None, created_at=FIXED_NOW
    )
    session.add(task)
    session.flush()
    tasks.refresh_next_due(session, [deal_id])  # as every store write of a task does
    return task.id


def set_timezone(session, tz: str) -> None:
    session.merge(Setting(key="timezone", value=tz))
    session.commit()


@contextmanager
def statements(session):
    """The SQL statements the block sends to the database."""
    seen: list[str] = []
    engine = session.get_bind()

    def listen(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


# --- the opportunity fixture -----------------------------------------------------------------
#
# open (board)           stage / prob  owner value      close       territory product source   account / contact
# rollout "Rollout phase 2" Qualified 10 ana 100_000    2026-11-25  EMEA  Core    web      Acme Corp / Wile Coyote
# pilot   "Pilot"          Qualified 10 bo   250_000    2026-12-10  AMER  Core    referral Globex / Hank Scorpio
# seats   "Seat upgrade"   Qualified 10 ana   40_000    2027-04-01  AMER  Add-on  web      Initech
# renewal "Umbrella renewal" Needs 30   ana  500_000    2027-01-15  EMEA  Core    event    -
# expand  "Stark 100% expansion" Needs 30 bo 300_005   2027-03-31  APAC  Add-on  web      Stark Industries
# cave    "Cave retrofit"  Proposal 60  bo 1_000_000    2026-11-30  EMEA  Core    referral Wayne Enterprises
# (Negotiation holds nothing.)
# closed: hooli won 2026-11-02 10:00 (ana, 700_000, EMEA); initrode won 2026-10-01 03:00 (bo, 50_000);
#         piper won 2026-09-30 23:30 (bo, 200_000); soylent lost 2026-11-10 (dee, 80_000, source Partner)


@pytest.fixture
def team(session, frozen):
    ana = reps.create_rep(session, "ana", "Ana Reyes")
    bo = reps.create_rep(session, "bo", "Bo Lindqvist")
    return ana, bo


@pytest.fixture
def opps(session, team):
    ana, bo = team
    dee = reps.create_rep(session, "dee", "Dee Ramone")
    cy = reps.create_rep(session, "cy", "Cy Twombly")
    for rep_id in (dee.id, cy.id):
        rep = session.get(Rep, rep_id)
        rep.active = False
        session.add(rep)
    o = OPPORTUNITY
    ids = dict(
        rollout=add_deal(session, o, "Qualified", "Rollout phase 2", owner=ana.id, value=100_000,
                         close=day(2026, 11, 25), territory="EMEA", product="Core", source="web",
                         account="Acme Corp", contact="Wile Coyote"),
        pilot=add_deal(session, o, "Qualified", "Pilot", owner=bo.id, value=250_000, close=day(2026, 12, 10),
                       territory="AMER", product="Core", source="referral", account="Globex", contact="Hank Scorpio"),
        seats=add_deal(session, o, "Qualified", "Seat upgrade", owner=ana.id, value=40_000, close=day(2027, 4, 1),
                       territory="AMER", product="Add-on", source="web", account="Initech"),
        renewal=add_deal(session, o, "Needs analysis", "Umbrella renewal", owner=ana.id, value=500_000,
                         close=day(2027, 1, 15), territory="EMEA", product="Core", source="event"),
        expand=add_deal(session, o, "Needs analysis", "Stark 100% expansion", owner=bo.id, value=300_005,
                        close=day(2027, 3, 31), territory="APAC", product="Add-on", source="web",
                        account="Stark Industries"),
        cave=add_deal(session, o, "Proposal", "Cave retrofit", owner=bo.id, value=1_000_000,
                      close=day(2026, 11, 30), territory="EMEA", product="Core", source="referral",
                      account="Wayne Enterprises"),
        hooli=add_deal(session, o, "Won", "Hooli", owner=ana.id, value=700_000, territory="EMEA",
                       close=day(2026, 11, 1), closed=at(2026, 11, 2, 10)),
        initrode=add_deal(session, o, "Won", "Initrode", owner=bo.id, value=50_000, closed=at(2026, 10, 1, 3)),
        piper=add_deal(session, o, "Won", "Pied Piper", owner=bo.id, value=200_000, closed=at(2026, 9, 30, 23, 30)),
        soylent=add_deal(session, o, "Lost", "Soylent", owner=dee.id, value=80_000, territory="EMEA",
                         source="Partner", close=day(2026, 11, 20), closed=at(2026, 11, 10)),
    )
    session.commit()
    return dict(ana=ana, bo=bo, dee=dee, cy=cy, **ids)


def totals(session, flt: BoardFilter, pipeline: str = OPPORTUNITY) -> dict[str, tuple[int, int, int]]:
    return {c.stage_name: (c.count, c.value, c.weighted) for c in board.board_columns(session, pipeline, flt)}


ZERO = (0, 0, 0)


def test_columns_count_sum_and_weight_every_open_stage_in_order(session, opps):
    columns = board.board_columns(session, OPPORTUNITY, BoardFilter())
    assert [c.stage_name for c in columns] == ["Qualified", "Needs analysis", "Proposal", "Negotiation"]
    assert [c.position for c in columns] == sorted(c.position for c in columns)
    assert [(c.probability, c.rot_days) for c in columns] == [(10, 14), (30, 21), (60, 14), (80, 10)]
    assert totals(session, BoardFilter()) == {
        "Qualified": (3, 100_000 + 250_000 + 40_000, 39_000),
        # 800_005 * 30 // 100 = 240_001 (240_001.5 floored, in cents)
        "Needs analysis": (2, 500_000 + 300_005, 240_001),
        "Proposal": (1, 1_000_000, 600_000),
        "Negotiation": ZERO,  # empty stages are still columns
    }


@pytest.mark.parametrize("flt", [BoardFilter(), BoardFilter(territory="EMEA"), BoardFilter(text="acme")],
                         ids=["all", "territory", "text"])
@pytest.mark.parametrize("pipeline", [OPPORTUNITY, LEAD])
def test_board_totals_are_the_columns_and_the_summary_line(session, opps, pipeline, flt):
    # The opportunity board reads both from one aggregate: the same figures as apart.
    summary = board.opportunity_summary if pipeline == OPPORTUNITY else board.lead_summary
    assert board.board_totals(session, pipeline, flt, tz=TOKYO) == (
        board.board_columns(session, pipeline, flt),
        summary(session, flt, tz=TOKYO),
    )


def test_lead_board_has_only_open_lead_stages(session, opps):
    assert totals(session, BoardFilter(), LEAD) == {
        "New": ZERO, "Attempting": ZERO, "Connected": ZERO, "Nurturing": ZERO
    }


def test_unknown_pipeline_is_refused(session, frozen):
    with pytest.raises(InvalidInput):
        board.board_columns(session, "deals", BoardFilter())


@pytest.mark.parametrize(
    "flt, expected",
    [
        (dict(owner="ana"), {"Qualified": (2, 140_000, 14_000), "Needs analysis": (1, 500_000, 150_000)}),
        # 300_005 * 30 // 100 = 90_001
        (dict(owner="bo"), {"Qualified": (1, 250_000, 25_000), "Needs analysis": (1, 300_005, 90_001),
                            "Proposal": (1, 1_000_000, 600_000)}),
        (dict(territory="EMEA"), {"Qualified": (1, 100_000, 10_000), "Needs analysis": (1, 500_000, 150_000),
                                  "Proposal": (1, 1_000_000, 600_000)}),
        (dict(product="Add-on"), {"Qualified": (1, 40_000, 4_000), "Needs analysis": (1, 300_005, 90_001)}),
        (dict(source="web"), {"Qualified": (2, 140_000, 14_000), "Needs analysis": (1, 300_005, 90_001)}),
        (dict(text="acme"), {"Qualified": (1, 100_000, 10_000)}),  # account name
        (dict(text="SCORPIO"), {"Qualified": (1, 250_000, 25_000)}),  # contact name, any case
        (dict(text="Renew"), {"Needs analysis": (1, 500_000, 150_000)}),  # title
        (dict(text="100%"), {"Needs analysis": (1, 300_005, 90_001)}),
        (dict(text="%"), {"Needs analysis": (1, 300_005, 90_001)}),  # a literal %, not a wildcard
        (dict(text="_"), {}),  # a literal _, not a wildcard
        (dict(text="  retro  "), {"Proposal": (1, 1_000_000, 600_000)}),
        (dict(text="   "), {"Qualified": (3, 390_000, 39_000), "Needs analysis": (2, 800_005, 240_001),
                             "Proposal": (1, 1_000_000, 600_000)}),  # blank text filters nothing
        (dict(owner="bo", territory="EMEA"), {"Proposal": (1, 1_000_000, 600_000)}),
        (dict(owner="ana", source="web", product="Core"), {"Qualified": (1, 100_000, 10_000)}),
        (dict(text="acme", territory="AMER"), {}),
        (dict(territory="Mars"), {}),
    ],
)
def test_filters_change_the_sums(session, opps, flt, expected):
    given = dict(flt)  # the parameters are shared by both backends' runs
    owner = given.pop("owner", None)
    flt = BoardFilter(owner_id=opps[owner].id if owner else None, **given)
    stages_ = ["Qualified", "Needs analysis", "Proposal", "Negotiation"]
    assert totals(session, flt) == {name: expected.get(name, ZERO) for name in stages_}


def test_owner_sums_add_up_to_the_team(session, opps):
    team = totals(session, BoardFilter())
    parts = [totals(session, BoardFilter(owner_id=opps[who].id)) for who in ("ana", "bo")]
    for name, (count, value, _weighted) in team.items():
        assert count == sum(p[name][0] for p in parts)
        assert value == sum(p[name][1] for p in parts)


def test_board_columns_is_one_aggregate_query(session, opps):
    with statements(session) as seen:
        board.board_columns(session, OPPORTUNITY, BoardFilter(owner_id=opps["ana"].id, text="acme"))
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2  # the stage list and one aggregate
    aggregate = [s for s in selects if "GROUP BY" in s.upper()]
    assert len(aggregate) == 1 and "count(" in aggregate[0].lower() and "sum(" in aggregate[0].lower()


# --- cards: urgency order, flags, windows ----------------------------------------------------
#
# All in Qualified (rot 14 days); now = 2026-11-18 14:30 UTC, today 2026-11-18.
# A  open task due 11-17                        close 12-20   -> overdue
# B  open tasks due 11-10 and 11-30             close none    -> overdue
# C  no task, created 10-01, no activity         close 12-01   -> stale (48 days)
# D  no task, last activity 11-03 14:00          close none    -> stale (15 days 30 min)
# E  no task, last activity 11-04 15:00 (bo)     close 11-20   -> fresh (13 days 23.5 h)
# F  open task due today, created 09-01          close 11-20   -> neither (a task prevents stale)
# G  done task due 11-01, open task due 11-25    close 11-19   -> neither
# H  done task due 11-05, last activity 11-17    close none    -> neither, no next step
# I  no task, last activity 11-03 14:30 exactly  close 11-19   -> stale (15 days: the boundary)
# J  no task, last activity 11-03 14:31          close none    -> fresh (14 days 23:59)
URGENCY_ORDER = ["A", "B", "I", "C", "D", "G", "E", "F", "H", "J"]


@pytest.fixture
def column(session, team):
    ana, bo = team
    o = OPPORTUNITY
    old = at(2026, 10, 1)

    def deal(key, close=None, owner=ana.id, **kw):
        kw.setdefault("created", old)
        return add_deal(session, o, "Qualified", f"Deal {key}", owner=owner, value=1_000, close=close, **kw)

    ids = {}
    ids["A"] = deal("A", day(2026, 12, 20), entered=at(2026, 11, 8, 14, 30), account="Acme Corp")
    add_task(session, ids["A"], ana.id, day(2026, 11, 17), "Chase A")
    ids["B"] = deal("B")
    add_task(session, ids["B"], ana.id, day(2026, 11, 30), "Later")
    add_task(session, ids["B"], ana.id, day(2026, 11, 10), "Call B")
    ids["C"] = deal("C", day(2026, 12, 1))
    ids["D"] = deal("D", last_activity=at(2026, 11, 3, 14))
    ids["E"] = deal("E", day(2026, 11, 20), owner=bo.id, last_activity=at(2026, 11, 4, 15))
    ids["F"] = deal("F", day(2026, 11, 20), created=at(2026, 9, 1))
    add_task(session, ids["F"], ana.id, day(2026, 11, 18), "Call F")
    ids["G"] = deal("G", day(2026, 11, 19))
    add_task(session, ids["G"], ana.id, day(2026, 11, 1), "Old", done=True)
    add_task(session, ids["G"], ana.id, day(2026, 11, 25), "Send deck")
    ids["H"] = deal("H", last_activity=at(2026, 11, 17))
    add_task(session, ids["H"], ana.id, day(2026, 11, 5), "Done already", done=True)
    ids["I"] = deal("I", day(2026, 11, 19), last_activity=at(2026, 11, 3, 14, 30))
    ids["J"] = deal("J", last_activity=at(2026, 11, 3, 14, 31))
    # Not in the column: another stage, and a closed deal.
    ids["other"] = add_deal(session, o, "Proposal", "Elsewhere", owner=ana.id, created=old)
    ids["won"] = add_deal(session, o, "Won", "Done deal", owner=ana.id, created=old, closed=old)
    session.commit()
    ids["stage"] = stage_ids(session, o)["Qualified"]
    ids["ana"], ids["bo"] = ana, bo
    return ids


def keys(cards, ids) -> list[str]:
    by_id = {ids[k]: k for k in ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "other", "won")}
    return [by_id[c.id] for c in cards]


def test_cards_come_in_urgency_order(session, column):
    cards = board.column_cards(session, column["stage"], BoardFilter())
    assert keys(cards, column) == URGENCY_ORDER


def test_card_flags_and_next_steps(session, column):
    cards = {k: c for k, c in zip(URGENCY_ORDER, board.column_cards(session, column["stage"], BoardFilter()))}
    assert {k for k, c in cards.items() if c.overdue} == {"A", "B"}
    assert {k for k, c in cards.items() if c.stale} == {"I", "C", "D"}
    assert {k for k, c in cards.items() if c.no_next_step} == {"C", "D", "E", "H", "I", "J"}
    assert (cards["A"].next_task_title, cards["A"].next_task_due) == ("Chase A", day(2026, 11, 17))
    assert (cards["B"].next_task_title, cards["B"].next_task_due) == ("Call B", day(2026, 11, 10))
    assert (cards["G"].next_task_title, cards["G"].next_task_due) == ("Send deck", day(2026, 11, 25))
    assert (cards["H"].next_task_title, cards["H"].next_task_due) == (None, None)
    a = cards["A"]
    assert a.days_in_stage == 10 and cards["C"].days_in_stage == 48
    assert (a.account_name, a.value, a.owner_initials, a.version) == ("Acme Corp", 1_000, "AR", 1)
    assert (a.title, a.stage_id, a.expected_close, a.milestone) == ("Deal A", column["stage"], day(2026, 12, 20), None)
    assert cards["E"].owner_initials == "BL" and cards["E"].owner_id == column["bo"].id
    assert cards["C"].account_name is None


def test_today_decides_what_is_overdue(session, column):
    cards = board.column_cards(session, column["stage"], BoardFilter(), today=day(2026, 11, 26))
    # G (close 11-19), F (11-20), A (12-20), B (none) are overdue now; stale deals keep their order.
    assert keys(cards, column) == ["G", "F", "A", "B", "I", "C", "D", "E", "H", "J"]


def test_today_defaults_to_the_team_timezone(session, column):
    set_timezone(session, "Pacific/Kiritimati")  # UTC+14: already 2026-11-19 there
    cards = board.column_cards(session, column["stage"], BoardFilter())
    assert keys(cards, column) == ["F", "A", "B", "I", "C", "D", "G", "E", "H", "J"]
    assert board.card_index(session, column["stage"], BoardFilter(), column["F"]) == 0


def test_stale_follows_the_stage_rot_threshold(session, column):
    stages.update_stage(session, column["stage"], rot_days=30)
    cards = board.column_cards(session, column["stage"], BoardFilter())
    assert [k for k, c in zip(keys(cards, column), cards) if c.stale] == ["C"]  # 48 days > 30; not D, I (15)
    assert keys(cards, column) == ["A", "B", "C", "G", "I", "E", "F", "D", "H", "J"]  # G, I: same close, by id


def test_activity_or_an_open_task_ends_staleness(session, column):
    ana = column["ana"]
    activities.log_activity(session, column["D"], "call", by=ana.id)
    tasks.add_task(session, column["C"], "Follow up", day(2026, 11, 25), by=ana.id)
    cards = board.column_cards(session, column["stage"], BoardFilter())
    assert [keys([c], column)[0] for c in cards if c.stale] == ["I"]
    c = next(card for card in cards if card.id == column["C"])
    assert (c.next_task_title, c.next_task_due, c.overdue) == ("Follow up", day(2026, 11, 25), False)


def test_cards_follow_the_filter(session, column):
    mine = board.column_cards(session, column["stage"], BoardFilter(owner_id=column["ana"].id))
    assert keys(mine, column) == [k for k in URGENCY_ORDER if k != "E"]
    assert keys(board.column_cards(session, column["stage"], BoardFilter(text="acme")), column) == ["A"]
    assert keys(board.column_cards(session, column["stage"], BoardFilter(text="deal j")), column) == ["J"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7, 10, 11])
def test_windows_cover_the_column_exactly_once(session, column, limit):
    seen = []
    offset = 0
    for _ in range(len(URGENCY_ORDER) + 2):  # a window that never empties would fail below, not hang
        window = board.column_cards(session, column["stage"], BoardFilter(), offset=offset, limit=limit)
        assert len(window) <= limit
        if not window:
            break
        seen.extend(window)
        offset += limit
    assert keys(seen, column) == URGENCY_ORDER
    count = board.board_columns(session, OPPORTUNITY, BoardFilter())[0].count
    assert len(seen) == count == 10


def test_a_window_is_cut_in_sql(session, column):
    with statements(session) as seen:
        cards = board.column_cards(session, column["stage"], BoardFilter(), offset=3, limit=2)
    assert keys(cards, column) == ["C", "D"]
    windows = [s for s in seen if "LIMIT" in s.upper() and "OFFSET" in s.upper()]
    assert len(windows) == 1 and "ORDER BY" in windows[0].upper()
    assert len(seen) <= 5  # stage, timezone, the window, the next tasks of its deals


def test_card_index_agrees_with_the_order(session, column):
    flt = BoardFilter()
    for position, key in enumerate(URGENCY_ORDER):
        assert board.card_index(session, column["stage"], flt, column[key]) == position
    late = day(2026, 11, 26)
    order = keys(board.column_cards(session, column["stage"], flt, today=late), column)
    for position, key in enumerate(order):
        assert board.card_index(session, column["stage"], flt, column[key], today=late) == position
    mine = BoardFilter(owner_id=column["ana"].id)
    order = keys(board.column_cards(session, column["stage"], mine), column)
    for position, key in enumerate(order):
        assert board.card_index(session, column["stage"], mine, column[key]) == position


def test_card_index_is_none_outside_the_column(session, column):
    stage = column["stage"]
    assert board.card_index(session, stage, BoardFilter(), column["other"]) is None
    assert board.card_index(session, stage, BoardFilter(), column["won"]) is None
    assert board.card_index(session, stage, BoardFilter(owner_id=column["ana"].id), column["E"]) is None
    assert board.card_index(session, stage, BoardFilter(), 999_999) is None


def test_card_index_after_a_move(session, column):
    ana = column["ana"]
    detail = deals.get_deal(session, column["C"])
    moved = deals.move_deal(session, detail.id, 1, version=detail.version, by=ana.id)
    assert board.card_index(session, column["stage"], BoardFilter(), moved.id) is None
    assert board.card_index(session, moved.stage_id, BoardFilter(), moved.id) == 0
    assert board.card_index(session, column["stage"], BoardFilter(), column["D"]) == 3


def test_unknown_stage(session, frozen):
    with pytest.raises(NotFound):
        board.column_cards(session, 999_999, BoardFilter())
    with pytest.raises(NotFound):
        board.card_index(session, 999_999, BoardFilter(), 1)


# --- the opportunity summary -----------------------------------------------------------------

# UTC, 2026-11-18: open deals 2_190_005 over 6.
# this month (Nov): rollout 100_000 @10 + cave 1_000_000 @60 = 61_000_000 -> 610_000
# this quarter (Q4): + pilot 250_000 @10 = 63_500_000 -> 635_000
# next quarter (Q1 2027): renewal 500_000 + expand 300_005 = 800_005 @30 -> 240_001 (seats closes 04-01)
OPEN_VALUE = 100_000 + 250_000 + 40_000 + 500_000 + 300_005 + 1_000_000


def opp_summary(session, tz=UTC, **flt):
    return board.opportunity_summary(session, BoardFilter(**flt), tz=tz)


def test_opportunity_summary_in_utc(session, opps):
    assert opp_summary(session) == board.OpportunitySummary(
        open_value=OPEN_VALUE,
        open_count=6,
        weighted_this_month=610_000,
        weighted_this_quarter=635_000,
        won_this_quarter=700_000 + 50_000,  # hooli 11-02, initrode 10-01 03:00; piper 09-30 23:30 is Q3
        won_count_this_quarter=2,
        next_quarter_value=800_005,
        next_quarter_weighted=240_001,
    )


def test_a_win_late_on_the_last_day_of_q3_is_q4_in_tokyo(session, opps):
    tokyo = opp_summary(session, TOKYO)  # Q4 began 2026-09-30 15:00 UTC there: piper counts
    assert (tokyo.won_this_quarter, tokyo.won_count_this_quarter) == (950_000, 3)
    assert (tokyo.weighted_this_month, tokyo.weighted_this_quarter) == (610_000, 635_000)
    la = opp_summary(session, LOS_ANGELES)  # Q4 began 2026-10-01 07:00 UTC there: initrode is Q3
    assert (la.won_this_quarter, la.won_count_this_quarter) == (700_000, 1)


def test_month_boundary_depends_on_the_timezone(session, opps):
    pendulum.travel_to(at(2026, 11, 30, 20), freeze=True)  # Tokyo: 2026-12-01 05:00
    assert opp_summary(session).weighted_this_month == 610_000
    tokyo = opp_summary(session, TOKYO)
    assert tokyo.weighted_this_month == 25_000  # December: pilot 250_000 @10
    assert tokyo.weighted_this_quarter == 635_000


def test_quarter_boundary_depends_on_the_timezone(session, opps):
    pendulum.travel_to(at(2026, 12, 31, 20), freeze=True)  # Tokyo: 2027-01-01 05:00
    utc = opp_summary(session)
    assert (utc.weighted_this_month, utc.weighted_this_quarter) == (25_000, 635_000)
    assert (utc.next_quarter_value, utc.next_quarter_weighted) == (800_005, 240_001)
    assert (utc.won_this_quarter, utc.won_count_this_quarter) == (750_000, 2)
    tokyo = opp_summary(session, TOKYO)
    assert tokyo.weighted_this_month == 150_000  # January: renewal 500_000 @30
    assert tokyo.weighted_this_quarter == 240_001  # Q1 2027: renewal + expand
    assert (tokyo.next_quarter_value, tokyo.next_quarter_weighted) == (40_000, 4_000)  # seats, 04-01
    assert (tokyo.won_this_quarter, tokyo.won_count_this_quarter) == (0, 0)
    assert (tokyo.open_value, tokyo.open_count) == (OPEN_VALUE, 6)


def test_opportunity_summary_follows_the_filter(session, opps):
    assert opp_summary(session, owner_id=opps["ana"].id) == board.OpportunitySummary(
        open_value=640_000,  # rollout, seats, renewal
        open_count=3,
        weighted_this_month=10_000,
        weighted_this_quarter=10_000,
        won_this_quarter=700_000,
        won_count_this_quarter=1,
        next_quarter_value=500_000,
        next_quarter_weighted=150_000,
    )
    emea = opp_summary(session, territory="EMEA")  # rollout, renewal, cave; won: hooli
    assert (emea.open_value, emea.open_count, emea.won_this_quarter) == (1_600_000, 3, 700_000)
    assert opp_summary(session, text="acme").open_value == 100_000


# --- the lead summary ------------------------------------------------------------------------
#
# l1 New         created 11-16 00:30 (ana)        l4 Disqualified closed 11-05 12:00 (bo)
# l2 Attempting  created 11-10 (bo)               l5 Disqualified closed 10-31 23:00 (ana)
# l3 Connected   created 11-18 10:00 (ana)
# c1 opportunity created 11-17 08:00, converted 11-17 12:00 (ana)
# c2 opportunity created 10-10, converted 10-20 (bo)
# o1 opportunity created 11-17 09:00 directly, never a lead (ana)


@pytest.fixture
def leads_(session, team):
    ana, bo = team
    lead, o = LEAD, OPPORTUNITY
    add_deal(session, lead, "New", "l1", owner=ana.id, created=at(2026, 11, 16, 0, 30))
    add_deal(session, lead, "Attempting", "l2", owner=bo.id, created=at(2026, 11, 10, 9))
    add_deal(session, lead, "Connected", "l3", owner=ana.id, created=at(2026, 11, 18, 10), value=5_000)
    add_deal(session, lead, "Disqualified", "l4", owner=bo.id, created=at(2026, 11, 2), closed=at(2026, 11, 5, 12))
    add_deal(session, lead, "Disqualified", "l5", owner=ana.id, created=at(2026, 10, 1), closed=at(2026, 10, 31, 23))
    add_deal(session, o, "Qualified", "c1", owner=ana.id, created=at(2026, 11, 17, 8), converted=at(2026, 11, 17, 12))
    add_deal(session, o, "Qualified", "c2", owner=bo.id, created=at(2026, 10, 10), converted=at(2026, 10, 20))
    add_deal(session, o, "Qualified", "o1", owner=ana.id, created=at(2026, 11, 17, 9))
    session.commit()
    return ana, bo


def lead_summary(session, tz=UTC, **flt):
    return board.lead_summary(session, BoardFilter(**flt), tz=tz)


def test_lead_summary_in_utc(session, leads_):
    assert lead_summary(session) == board.LeadSummary(
        open_count=3, new_this_week=3, converted_this_month=1, disqualified_this_month=1
    )  # new: l1, l3, c1 (o1 never was a lead); disqualified: l4 (l5 is October)


def test_lead_summary_in_other_timezones(session, leads_):
    # Tokyo: the week began 11-15 15:00 UTC, November began 10-31 15:00 UTC (l5 counts)
    assert lead_summary(session, TOKYO) == board.LeadSummary(3, 3, 1, 2)
    # Los Angeles: the week began 11-16 08:00 UTC (l1 is last week's), November 11-01 07:00 UTC
    assert lead_summary(session, LOS_ANGELES) == board.LeadSummary(3, 2, 1, 1)


def test_the_week_starts_on_monday(session, leads_):
    pendulum.travel_to(at(2026, 11, 22, 23), freeze=True)  # Sunday in UTC, Monday 08:00 in Tokyo
    assert lead_summary(session).new_this_week == 3
    assert lead_summary(session, TOKYO).new_this_week == 0


def test_lead_summary_and_board_follow_the_filter(session, leads_):
    ana, bo = leads_
    assert lead_summary(session, owner_id=ana.id) == board.LeadSummary(2, 3, 1, 0)
    assert lead_summary(session, owner_id=bo.id) == board.LeadSummary(1, 0, 0, 1)
    assert totals(session, BoardFilter(), LEAD) == {
        "New": (1, 0, 0), "Attempting": (1, 0, 0), "Connected": (1, 5_000, 0), "Nurturing": ZERO
    }


# --- filter choices, timezone, change token, the filter itself -------------------------------


def test_filter_choices(session, opps):
    choices = board.filter_choices(session)
    # Active reps and anyone owning a deal (dee is inactive but owns soylent; cy owns nothing).
    assert choices.owners == [(opps["ana"].id, "Ana Reyes"), (opps["bo"].id, "Bo Lindqvist"),
                              (opps["dee"].id, "Dee Ramone")]
    assert choices.territories == ["AMER", "APAC", "EMEA"]
    assert choices.products == ["Add-on", "Core"]
    assert choices.sources == ["event", "Partner", "referral", "web"]


def test_team_timezone(session, frozen):
    assert settings.team_timezone(session) == "UTC"
    set_timezone(session, "Asia/Tokyo")
    assert settings.team_timezone(session) == "Asia/Tokyo"
    set_timezone(session, "Mars/Olympus_Mons")
    assert settings.team_timezone(session) == "UTC"


def test_change_token_moves_with_every_change(session, team):
    ana, _bo = team
    deal = deals.create_opportunity(session, deals.DealFields(title="Acme rollout", value=10_000), by=ana.id)
    before = changes.change_token(session)
    assert changes.change_token(session) == before  # nothing changed: same token
    moved = deals.move_deal(session, deal.id, 1, version=deal.version, by=ana.id)
    after_move = changes.change_token(session)
    assert after_move != before
    task = tasks.add_task(session, deal.id, "Send the proposal", day(2026, 11, 20), by=ana.id)
    after_task = changes.change_token(session)
    assert after_task != after_move
    tasks.complete_task(session, task.id, by=ana.id)
    after_done = changes.change_token(session)
    assert after_done != after_task
    activities.log_activity(session, moved.id, "call", by=ana.id)
    after_call = changes.change_token(session)
    assert after_call != after_done
    stages.update_stage(session, moved.stage_id, probability=35)
    assert changes.change_token(session) != after_call


def test_change_token_sees_a_change_from_another_session(db, session, team):
    ana, _bo = team
    deal = deals.create_opportunity(session, deals.DealFields(title="Acme rollout"), by=ana.id)
    before = changes.change_token(session)
    session.commit()  # end this session's read transaction, as the board's poll does
    with db.session() as other:
        deals.move_deal(other, deal.id, 1, version=deal.version, by=ana.id)
    assert changes.change_token(session) != before


def test_filter_is_empty_and_describes_itself():
    assert BoardFilter().is_empty()
    assert BoardFilter(owner_id=3).is_empty()
    assert BoardFilter(text="  ").is_empty()
    assert not BoardFilter(territory="EMEA").is_empty()
    assert BoardFilter().describe() == ""
    assert BoardFilter(owner_id=3).describe() == ""
    assert BoardFilter(owner_id=3).describe("Ana Reyes") == "owner Ana Reyes"
    assert BoardFilter(territory="EMEA", text="acme").describe() == "territory EMEA · text “acme”"
    assert (
        BoardFilter(owner_id=1, territory="EMEA", product="Core", source="web", text=" acme ").describe("Ana")
        == "owner Ana · territory EMEA · product Core · source web · text “acme”"
    )
