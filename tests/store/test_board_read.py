"""load_board (everything a board shows, in one call) and after_move (a stage
move's totals from the ones shown), on both backends, against the calls they
stand for. The rows are those of tests/store/test_board.py (frozen clock,
Wednesday 2026-11-18 14:30 UTC)."""

from __future__ import annotations

import pytest

from store import board, changes, deals
from store.board import BoardFilter
from store.models import LEAD, OPPORTUNITY, Deal
from tests.store import test_board as rows
from tests.store.test_board import add_deal, add_task, day, stage_ids

team, opps = rows.team, rows.opps  # the fixtures, used here by name

PAGE = 2  # small pages: the focus deal's page is not the first


def _newest_event(session) -> int:
    return changes.change_token(session)[0][0] or 0


def _expected_totals(session, pipeline, flt):
    return board.board_totals(session, pipeline, flt, tz="UTC")


@pytest.mark.parametrize("flt", [BoardFilter(), BoardFilter(territory="EMEA")])
def test_load_board_is_what_the_separate_calls_read(session, opps, flt):
    stage = stage_ids(session, OPPORTUNITY)
    qualified = stage["Qualified"]
    # The focus deal sorts third in Qualified (close 2027-04-01 last), on page 1 of 2-card pages.
    focus_deal = opps["seats"] if flt.territory is None else opps["rollout"]
    read = board.load_board(session, OPPORTUNITY, flt, page_size=PAGE, focus_deal=focus_deal)

    columns, summary = _expected_totals(session, OPPORTUNITY, flt)
    assert (read.columns, read.summary) == (columns, summary)
    assert read.token == changes.change_token(session)
    assert (read.tz, read.currency) == ("UTC", "USD")
    index = board.card_index(session, qualified, flt, focus_deal)
    assert read.focus == (qualified, index)
    for column in columns:
        pages = {0} | ({index // PAGE} if column.stage_id == qualified else set())
        assert set(read.pages[column.stage_id]) == pages
        for page in pages:
            assert read.pages[column.stage_id][page] == board.column_cards(
                session, column.stage_id, flt, offset=page * PAGE, limit=PAGE)
    if flt.territory is None:
        assert read.focus[1] == 2 and set(read.pages[qualified]) == {0, 1}


def test_load_board_after_a_write_reads_only_the_columns_asked_for(session, opps):
    stage = stage_ids(session, OPPORTUNITY)
    read = board.load_board(session, OPPORTUNITY, BoardFilter(), page_size=PAGE, focus_deal=opps["cave"],
                            tz="UTC", currency="EUR", token=False, cards_for={stage["Qualified"]: {1}})
    assert read.token is None and read.currency == "EUR"
    # The page asked for, and the focus deal's page of its column.
    assert {sid: set(pages) for sid, pages in read.pages.items()} == {stage["Qualified"]: {1}, stage["Proposal"]: {0}}
    assert read.pages[stage["Qualified"]][1] == board.column_cards(session, stage["Qualified"], BoardFilter(),
                                                                   offset=PAGE, limit=PAGE)
    assert read.focus == (stage["Proposal"], 0)


def test_load_board_has_no_focus_for_a_closed_or_other_pipelines_deal(session, opps):
    for deal_id in (opps["hooli"], 999_999):
        assert board.load_board(session, OPPORTUNITY, BoardFilter(), page_size=PAGE, focus_deal=deal_id).focus is None
    lead = add_deal(session, LEAD, "New", "Inbound", owner=opps["ana"].id)
    assert board.load_board(session, OPPORTUNITY, BoardFilter(), page_size=PAGE, focus_deal=lead).focus is None


def _move(session, deal_id, step, by=None):
    row = session.get(Deal, deal_id)
    version, owner = row.version, row.owner_id
    session.expire_all()
    return deals.move_deal(session, deal_id, step, version=version, by=owner)


@pytest.mark.parametrize(
    ("deal", "step", "flt"),
    [
        ("rollout", 1, BoardFilter()),  # closes this month: every weighted sum moves
        ("pilot", 1, BoardFilter(territory="AMER")),  # this quarter, not this month
        ("renewal", -1, BoardFilter()),  # next quarter, back a stage
        ("cave", 1, BoardFilter(owner_id=None)),  # into the empty Negotiation
        ("seats", 1, BoardFilter()),  # closes after next quarter: only the columns move
    ],
)
def test_after_move_is_what_a_fresh_aggregate_reads(session, opps, deal, step, flt):
    shown_columns, shown_summary = _expected_totals(session, OPPORTUNITY, flt)
    since = _newest_event(session)
    _move(session, opps[deal], step, opps["ana"].id)
    today = day(2026, 11, 18)
    moved = board.after_move(session, shown_columns, shown_summary, opps[deal], since_event=since, today=today)
    assert moved is not None
    assert moved == _expected_totals(session, OPPORTUNITY, flt)
    # The raw sums behind the weighted ones are exact too: a second move builds on them.
    columns, summary = moved
    since = _newest_event(session)
    _move(session, opps[deal], -step, opps["ana"].id)
    again = board.after_move(session, columns, summary, opps[deal], since_event=since, today=today)
    assert again == _expected_totals(session, OPPORTUNITY, flt) == (shown_columns, shown_summary)
    assert [c.weighted_raw for c in again[0]] == [c.weighted_raw for c in shown_columns]
    assert again[1].weighted_raw == shown_summary.weighted_raw


def test_after_move_on_the_leads_board(session, team):
    ana, _bo = team
    lead = add_deal(session, LEAD, "New", "Inbound", owner=ana.id, value=12_000)
    session.commit()
    shown = _expected_totals(session, LEAD, BoardFilter())
    since = _newest_event(session)
    _move(session, lead, 1, ana.id)
    moved = board.after_move(session, *shown, lead, since_event=since, today=day(2026, 11, 18))
    assert moved == _expected_totals(session, LEAD, BoardFilter())


def test_after_move_declines_what_it_cannot_work_out(session, opps):
    ana = opps["ana"]
    flt = BoardFilter()
    today = day(2026, 11, 18)

    def shown_and_since():
        return (*_expected_totals(session, OPPORTUNITY, flt), _newest_event(session))

    # Another write to the same deal after the move (anyone's): aggregate again.
    columns, summary, since = shown_and_since()
    _move(session, opps["pilot"], 1, ana.id)
    add_task(session, opps["pilot"], opps["bo"].id, day(2026, 11, 20))
    detail = deals.get_deal(session, opps["pilot"])
    deals.edit_deal(session, opps["pilot"], deals.DealFields(title=detail.title, value=999),
                    version=detail.version, by=detail.owner_id)
    assert board.after_move(session, columns, summary, opps["pilot"], since_event=since, today=today) is None

    # A write that is not a stage move.
    columns, summary, since = shown_and_since()
    detail = deals.get_deal(session, opps["rollout"])
    deals.mark_won(session, opps["rollout"], version=detail.version, by=ana.id)
    assert board.after_move(session, columns, summary, opps["rollout"], since_event=since, today=today) is None

    # A deal weighed by its own (imported) probability: the move clears it.
    row = session.get(Deal, opps["renewal"])
    row.probability = 90
    session.add(row)
    session.commit()
    columns, summary, since = shown_and_since()
    _move(session, opps["renewal"], 1, ana.id)
    assert board.after_move(session, columns, summary, opps["renewal"], since_event=since, today=today) is None

    # A column the board does not show (another filter's, or none).
    columns, summary, since = shown_and_since()
    _move(session, opps["cave"], -1, ana.id)
    unshown = [c for c in columns if c.stage_name != "Proposal"]
    assert board.after_move(session, unshown, summary, opps["cave"], since_event=since, today=today) is None
