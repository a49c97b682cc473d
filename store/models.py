"""The tables. Times are naive UTC; money is integer minor units; days are dates.

Only store modules touch these classes; everything leaving the store is a frozen
dataclass (see the domain modules).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, event, text
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from store.names import name_key

from store.terms import (  # noqa: F401  (re-exported for store modules)
    ACTIVITY_TYPES,
    LEAD,
    LOST,
    MILESTONES,
    OPEN,
    OPPORTUNITY,
    PIPELINES,
    ROLES,
    WON,
)

# The created date of a deal whose creation is not known (an import without one):
# it falls in no period, so period figures leave the deal out. Naive UTC, like every column.
UNKNOWN_SINCE = datetime(1970, 1, 1)


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Team(SQLModel, table=True):
    """A sales team: reps belong to one; its manager changes the team's deals.

    Office and region are attributes a manager groups and filters numbers by;
    ``timezone`` (None: the database's) is the team's working day.
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    # use_alter: rep.team_id points back here; the pair is created in two steps.
    manager_id: Optional[int] = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("rep.id", name="fk_team_manager_id_rep", use_alter=True)),
    )
    office: Optional[str] = Field(default=None, max_length=100)
    region: Optional[str] = Field(default=None, max_length=100)
    timezone: Optional[str] = Field(default=None, max_length=64)
    created_at: datetime


class Rep(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    handle: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    email: Optional[str] = Field(default=None, max_length=200)
    role: str = Field(default="rep", max_length=16)
    timezone: str = Field(default="UTC", max_length=64)
    capacity: int = Field(default=12)
    # ISO weekdays the rep works, as digits: "12345" is Monday to Friday.
    working_days: str = Field(default="12345", max_length=7)
    active: bool = Field(default=True)
    created_at: datetime
    # None: no team yet. Reps without a team form one implicit team with the
    # managers without a team, which is how a database from before teams works.
    team_id: Optional[int] = Field(default=None, foreign_key="team.id", index=True)


class Account(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    # store.names.name_key(name): what lookups compare, the same on every backend.
    # Set from ``name`` on every ORM insert and update (below); bulk writers set it.
    name_key: Optional[str] = Field(default=None, index=True)
    domain: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime


class Contact(SQLModel, table=True):
    __table_args__ = (
        Index("ix_contact_account_name_key", "account_id", "name_key"),
        Index("ix_contact_name_key", "name_key", "id"),  # the contacts list's order
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: Optional[int] = Field(default=None, foreign_key="account.id", index=True)
    name: str = Field(max_length=200)
    name_key: Optional[str] = None  # store.names.name_key(name), as for accounts
    email: Optional[str] = Field(default=None, max_length=200)
    phone: Optional[str] = Field(default=None, max_length=64)
    job_title: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime


class Stage(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("pipeline", "name"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    pipeline: str = Field(max_length=16)
    name: str = Field(max_length=64)
    position: int
    kind: str = Field(default=OPEN, max_length=8)
    probability: int = Field(default=0)  # percent, 0-100
    rot_days: int = Field(default=14)
    # Retired (store.stages.retire_stage): off the boards and pickers, holding no deals;
    # kept so the events that name it still read.
    retired: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class LostReason(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("pipeline", "label"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    pipeline: str = Field(max_length=16)
    label: str = Field(max_length=100)
    position: int


class Deal(SQLModel, table=True):
    __table_args__ = (
        # Covers the board's column totals and forecast sums without touching rows.
        Index("ix_deal_board", "pipeline", "stage_id", "owner_id", "value", "expected_close"),
        Index("ix_deal_stage_closed", "stage_id", "closed_at", "value"),
        Index("ix_deal_converted", "converted_at"),
        Index("ix_deal_owner_pipeline", "owner_id", "pipeline"),
        Index("ix_deal_closed", "closed_at"),
        # Covers the activity pipeline's "deals alive in a period, by milestone".
        Index("ix_deal_alive", "closed_at", "pipeline", "milestone", "created_at", "owner_id"),
        Index("ix_deal_created", "created_at"),
        # Covers a board column's urgency order (overdue, stale, close date), the
        # team board's column totals and the open deals by milestone.
        # Only the deals that carry their own win probability (imported): boards and the
        # forecast weigh those from here (store/weighing.py), the rest from the indexes above.
        # PostgreSQL's has the same predicate (migration 0007 makes both); naming it here
        # would import SQLAlchemy's PostgreSQL dialect into every start-up, SQLite's too.
        Index(
            "ix_deal_own_probability", "pipeline", "stage_id", "probability", "value", "expected_close", "owner_id",
            sqlite_where=text("probability IS NOT NULL"),
        ),
        Index(
            "ix_deal_column",
            "pipeline", "stage_id", "next_task_due", "expected_close", "last_activity_at", "created_at", "owner_id",
            "value", "milestone",
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    pipeline: str = Field(max_length=16)
    stage_id: int = Field(foreign_key="stage.id")
    title: str = Field(max_length=300)
    account_id: Optional[int] = Field(default=None, foreign_key="account.id", index=True)
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    owner_id: int = Field(foreign_key="rep.id")
    value: int = Field(default=0, sa_type=BigInteger)  # minor units; cents overflow 32 bits at $21m
    expected_close: Optional[date] = None
    source: Optional[str] = Field(default=None, max_length=100)
    territory: Optional[str] = Field(default=None, max_length=100)
    product: Optional[str] = Field(default=None, max_length=100)
    created_at: datetime
    stage_entered_at: datetime
    converted_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    lost_reason: Optional[str] = Field(default=None, max_length=300)
    external_id: Optional[str] = Field(default=None, max_length=200, unique=True)
    # Kept by the store as activities are logged, so boards can tell stale deals
    # and milestones without reading the activity table.
    last_activity_at: Optional[datetime] = None
    milestone: Optional[str] = Field(default=None, max_length=16)
    # The earliest due day of the deal's open tasks (None: no next step), kept by
    # store.tasks.refresh_next_due whenever a task changes: the board sorts and
    # flags a column from the deal rows alone.
    next_task_due: Optional[date] = None
    version: int = Field(default=1)
    updated_at: datetime
    updated_by_id: Optional[int] = Field(default=None, foreign_key="rep.id")
    # The deal's own win probability (percent), brought from another CRM; None: its
    # stage's. A stage change clears it: the new stage's probability applies.
    probability: Optional[int] = None
    # False when the import had no date for its creation: ``created_at`` then holds
    # the epoch, and period figures (new deals, pipeline created) leave it out.
    created_known: bool = Field(default=True, sa_column_kwargs={"server_default": "1"})


class DealContact(SQLModel, table=True):
    """Every contact on a deal. ``Deal.contact_id`` is the primary one, and is here too
    when set through store.contacts (rows written before 0008 were copied in; readers
    still take the primary from the deal row, so a bulk insert that sets only
    ``contact_id`` is read right)."""

    __tablename__ = "deal_contact"
    __table_args__ = (Index("ix_deal_contact_contact", "contact_id", "deal_id"),)

    deal_id: int = Field(primary_key=True, foreign_key="deal.id")
    contact_id: int = Field(primary_key=True, foreign_key="contact.id")
    added_at: datetime


class Activity(SQLModel, table=True):
    __table_args__ = (
        Index("ix_activity_deal_when", "deal_id", "occurred_at"),
        Index("ix_activity_rep_when", "rep_id", "occurred_at"),
        Index("ix_activity_when", "occurred_at"),
        # Covers the numbers table's GROUP BY rep, type, milestone over a time range,
        # and the activity pipeline's milestones per deal since a moment.
        Index("ix_activity_when_rep_type", "occurred_at", "rep_id", "type", "milestone", "deal_id"),
        # Covers "the furthest milestone a deal had reached before a moment".
        Index("ix_activity_deal_when_milestone", "deal_id", "occurred_at", "milestone"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    rep_id: int = Field(foreign_key="rep.id")
    type: str = Field(max_length=16)
    milestone: Optional[str] = Field(default=None, max_length=16)
    occurred_at: datetime
    duration_min: Optional[int] = None
    outcome: str = Field(default="", max_length=500)
    created_at: datetime


class ActivityDay(SQLModel, table=True):
    """Activities counted per day (in the team's timezone), rep, type and milestone.

    A rollup of the activity table that store.rollups keeps in the same
    transaction as every activity write; the numbers read it instead of a million
    activity rows. Its timezone is the setting ``activity_day_tz``.
    """

    __tablename__ = "activity_day"
    __table_args__ = (Index("ix_activity_day_cover", "day", "rep_id", "type", "milestone", "n"),)

    day: date = Field(primary_key=True)
    rep_id: int = Field(primary_key=True, foreign_key="rep.id")
    type: str = Field(primary_key=True, max_length=16)
    milestone: str = Field(default="", primary_key=True, max_length=16)  # "" for none
    n: int


class DealMilestone(SQLModel, table=True):
    """When a deal first reached each milestone (its earliest activity carrying it).

    Kept with the deal's ``milestone`` by store.activities; the activity pipeline
    reads how far deals got by a moment from here.
    """

    __tablename__ = "deal_milestone"
    __table_args__ = (Index("ix_deal_milestone_reached", "reached_at", "deal_id"),)

    deal_id: int = Field(primary_key=True, foreign_key="deal.id")
    milestone: str = Field(primary_key=True, max_length=16)
    reached_at: datetime


class Task(SQLModel, table=True):
    __table_args__ = (
        Index("ix_task_owner_open_due", "owner_id", "done_at", "due"),
        Index("ix_task_deal_open_due", "deal_id", "done_at", "due"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    owner_id: int = Field(foreign_key="rep.id")
    title: str = Field(max_length=300)
    due: date
    done_at: Optional[datetime] = None
    created_at: datetime
    created_by_id: Optional[int] = Field(default=None, foreign_key="rep.id")
    # As on a deal: every write states the version it read (store.tasks), so two
    # reps completing or moving one task cannot both win. Bulk inserts get 1.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    updated_at: Optional[datetime] = None
    updated_by_id: Optional[int] = Field(default=None, foreign_key="rep.id")


class Note(SQLModel, table=True):
    __table_args__ = (Index("ix_note_deal_when", "deal_id", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    rep_id: int = Field(foreign_key="rep.id")
    body: str
    created_at: datetime


class DealEvent(SQLModel, table=True):
    """The append-only history of a deal: the timeline and the audit trail."""

    __tablename__ = "deal_event"
    __table_args__ = (
        Index("ix_event_deal_when", "deal_id", "at"),
        Index("ix_event_rep_deal", "rep_id", "deal_id", "id"),
        Index("ix_event_kind_when", "kind", "at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    rep_id: Optional[int] = Field(default=None, foreign_key="rep.id")
    at: datetime
    kind: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Set on an "undone" event: the id of the event it reversed.
    undoes_id: Optional[int] = Field(default=None, foreign_key="deal_event.id")


class Goal(SQLModel, table=True):
    """A manager's standing goal for one rep: ``target`` of ``metric`` in every
    period of ``period_kind`` (25 calls a week; $400k won a quarter)."""

    __table_args__ = (UniqueConstraint("rep_id", "period_kind", "metric"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id")
    period_kind: str = Field(max_length=8)  # week / month / quarter
    metric: str = Field(max_length=32)  # a key of store.goals.METRICS
    target: int = Field(sa_type=BigInteger)  # a count, or minor units for money metrics
    updated_at: datetime
    updated_by_id: Optional[int] = Field(default=None, foreign_key="rep.id")


class AdminEvent(SQLModel, table=True):
    """The append-only record of team administration: reps added and changed,
    teams, stages, lost reasons and settings — who, when and what (store.audit)."""

    __tablename__ = "admin_event"
    __table_args__ = (Index("ix_admin_event_when", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime
    rep_id: Optional[int] = Field(default=None, foreign_key="rep.id")  # None: the command line before any rep
    kind: str = Field(max_length=32)
    subject: str = Field(default="", max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


@event.listens_for(Account, "before_insert")
@event.listens_for(Account, "before_update")
@event.listens_for(Contact, "before_insert")
@event.listens_for(Contact, "before_update")
def _keep_name_key(_mapper, _connection, row) -> None:
    row.name_key = name_key(row.name)
