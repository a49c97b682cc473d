"""A team whose every stored string carries terminal escapes and markup.

Built through the store with a placeholder, then the placeholder is replaced by the
escape sequences in every text column (and in the history's JSON) directly in the
database: what an older release, another tool or a bad import may have left there,
whatever the store accepts today.

The team is built on Monday 16 and Tuesday 17 November 2026; the tests run on
Wednesday 18 November (``WEDNESDAY``), so the stand-up looks back to Tuesday and
the numbers have a week of activity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pendulum
from sqlalchemy import JSON, String, Text, func, select

from store import activities, deals, notes, reps, stages, tasks
from store.deals import DealFields
from store.models import SQLModel
from tests import hostile_corpus as hc

PLACEHOLDER = "HOSTILE"
ATTACK = hc.TERMINAL_ATTACK  # window title, clipboard write, clear screen, C1 clear screen
SHOWN_ATTACK = "␛]0;evil␇␛]52;c;ZXZpbA==␇␛[2J␛[2J"  # the same, as the screen shows it

MONDAY = pendulum.datetime(2026, 11, 16, 9, tz="UTC")
TUESDAY = pendulum.datetime(2026, 11, 17, 10, tz="UTC")
WEDNESDAY = pendulum.datetime(2026, 11, 18, 9, tz="UTC")


def named(name: str) -> str:
    """``Acme`` amid both markups and the placeholder: ``[@click=app.quit]Acme Acme HOSTILE [bold]x[/]``."""
    return f"{hc.MARKUP_CLICK} {name} {PLACEHOLDER} {hc.MARKUP_BOLD}"


@dataclass
class HostileTeam:
    db: object
    alex: reps.RepInfo  # the manager signed in
    morgan: reps.RepInfo  # a rep whose name is hostile
    acme: deals.DealDetail  # Alex's opportunity: hostile title, account, contact; a task, a note, an activity
    globex: deals.DealDetail  # Morgan's opportunity, lost on Tuesday for a hostile reason
    lead: deals.DealDetail  # Alex's lead with a hostile title


def build_hostile_team(db) -> HostileTeam:
    with pendulum.travel_to(MONDAY, freeze=True), db.session() as s:
        alex = reps.create_rep(s, "alex", "Alex Kim", role="manager")
        morgan = reps.create_rep(s, "morgan", named("Morgan"))
        qualified = stages.find_stage(s, "opportunity", "Qualified")
        stages.update_stage(s, qualified.id, name=f"Qualified {PLACEHOLDER}")
        stages.set_lost_reasons(s, "opportunity", [f"Budget {PLACEHOLDER}", "Timing"])
        acme = deals.create_opportunity(
            s,
            DealFields(title=named("Acme"), account=named("Acct"), contact=named("Jo"),
                       contact_email=f"jo{PLACEHOLDER}@acme.example", contact_phone=f"555 {PLACEHOLDER}",
                       value=1_200_000, expected_close=pendulum.date(2026, 11, 30),
                       territory=f"North {PLACEHOLDER}", product=f"Fleet {PLACEHOLDER}", source=f"Web {PLACEHOLDER}"),
            by=alex.id,
        )
        globex = deals.create_opportunity(
            s, DealFields(title=named("Globex"), account="Globex", value=500_000, owner_id=morgan.id), by=morgan.id
        )
        lead = deals.create_lead(s, DealFields(title=named("Lead"), account="Umbrella"), by=alex.id)
    with pendulum.travel_to(TUESDAY, freeze=True), db.session() as s:
        acme = deals.move_deal(s, acme.id, 1, version=acme.version, by=alex.id)
        activities.log_activity(s, acme.id, "call", by=alex.id, outcome=named("Outcome"))
        notes.add_note(s, acme.id, f"{named('Note')}\nsecond line {PLACEHOLDER}\n\tthird {hc.MARKUP_BOLD}", by=alex.id)
        tasks.add_task(s, acme.id, named("Call"), WEDNESDAY.date(), by=alex.id)
        tasks.add_task(s, lead.id, named("Email"), WEDNESDAY.date(), by=alex.id)
        tasks.add_task(s, acme.id, named("Chase"), TUESDAY.date(), by=alex.id, owner_id=morgan.id)  # overdue
        globex = deals.mark_lost(s, globex.id, f"Budget {PLACEHOLDER}: {named('gone')}", version=globex.version,
                                 by=morgan.id)
    plant(db, PLACEHOLDER, ATTACK)
    with db.session() as s:
        acme, globex, lead = (deals.get_deal(s, d.id) for d in (acme, globex, lead))
        morgan = reps.get_rep(s, morgan.id)
    assert ATTACK in acme.title and ATTACK in morgan.name  # the data really is hostile
    return HostileTeam(db, alex, morgan, acme, globex, lead)


def plant(db, placeholder: str, value: str) -> None:
    """Replace ``placeholder`` by ``value`` in every text column and every JSON document."""
    with db.engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            key = list(table.primary_key.columns)
            for column in table.columns:
                if isinstance(column.type, JSON):
                    rows = connection.execute(select(*key, column)).all()
                    for *ids, document in rows:
                        text = json.dumps(document)
                        if placeholder in text:
                            changed = json.loads(text.replace(placeholder, json.dumps(value)[1:-1]))
                            where = [k == i for k, i in zip(key, ids)]
                            connection.execute(table.update().where(*where).values({column.name: changed}))
                elif isinstance(getattr(column.type, "impl", column.type), (String, Text)):  # AutoString too
                    connection.execute(
                        table.update()
                        .where(column.contains(placeholder, autoescape=True))
                        .values({column.name: func.replace(column, placeholder, value)})
                    )
