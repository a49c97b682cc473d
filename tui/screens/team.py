"""Team (`7`): the reps with their role, team and capacity, the teams, both pipelines'
stages with their probability and rot days, the lost reasons, and the team's
currency, timezone and open editing — on one page.

Managers change them here through small forms that call the same store functions
as ``legwork rep``, ``team``, ``stages`` and the rest; a rep sees the page read-only
(and the store would refuse them anyway). Reads run in a thread worker that posts
plain data back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from store import deactivation
from store import reps as rep_store
from store import settings
from store import stages as stage_store
from store import teams as team_store
from store.reps import RepInfo
from store.stages import StageInfo
from store.teams import TeamInfo
from store.terms import PIPELINES
from store.workweek import describe_working_days
from tui.failures import ReportsFailedWorkers
from tui.plain_text import visible
from tui.screens.modals.admin_form import AdminForm, Field, whole
from tui.screens.team_forms import TeamForms
from tui.widgets.key_footer import KeyFooter

REPS, TEAMS, STAGES, REASONS = "Reps", "Teams", "Stages", "Lost reasons"


@dataclass(frozen=True)
class TeamPage:
    reps: list[RepInfo]
    teams: list[TeamInfo]
    stages: dict[str, list[tuple[StageInfo, int]]]  # pipeline: [(stage, deals in it)]
    reasons: dict[str, list[str]]
    currency: str
    timezone: str
    open_editing: bool
    manager: bool


@dataclass(frozen=True)
class Row:
    section: str
    item: object = None  # RepInfo, TeamInfo, StageInfo or a lost reason's label
    pipeline: str | None = None
    cells: tuple = field(default_factory=tuple)


def _one_line(text: str | None) -> str:
    return visible(" ".join((text or "").split()))


class TeamScreen(TeamForms, ReportsFailedWorkers, Screen):
    HELP_TITLE = "Team"
    HELP_GROUP = "Team"
    DEFAULT_CSS = """
    TeamScreen #team-settings {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    TeamScreen #team-table {
        height: 1fr;
    }
    """
    BINDINGS = [
        Binding("e,enter", "edit", "Edit", tooltip="Change the rep, team, stage or lost reason under the cursor",
                id="team-edit", priority=True),
        Binding("a", "add", "Add", tooltip="Add a rep, team, stage or lost reason (the cursor's section)",
                id="team-add"),
        Binding("x", "remove", "Retire", tooltip="Deactivate the rep, retire the stage, remove the lost reason",
                id="team-remove"),
        Binding("K", "move_stage(-1)", "Stage up", show=False, tooltip="Move the stage one place up",
                id="team-stage-up"),
        Binding("J", "move_stage(1)", "Stage down", show=False, tooltip="Move the stage one place down",
                id="team-stage-down"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("c", "currency", "Currency", tooltip="The currency every amount is in", id="team-currency"),
        Binding("z", "timezone", "Timezone", tooltip="The team's timezone (periods, today)", id="team-timezone"),
        Binding("o", "open_editing", "Open editing", show=False,
                tooltip="Whether every rep may change every deal and task", id="team-open-editing"),
    ]

    @dataclass
    class Loaded(Message):
        page: TeamPage

    def __init__(self) -> None:
        super().__init__()
        self.page: TeamPage | None = None
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="team-settings", markup=False)
        table = DataTable(id="team-table", cursor_type="row", zebra_stripes=False)
        table.add_columns("", "Name", "", "", "")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Team"
        self.sub_title = self.app.rep.name
        self.query_one(DataTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.page is not None:
            self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self._load(self.app.rep.id)

    @work(thread=True, exclusive=True, group="team-load", exit_on_error=False)
    def _load(self, me: int) -> None:
        with self.app.database.session() as session:
            me_now = rep_store.get_rep(session, me)
            page = TeamPage(
                reps=rep_store.list_reps(session),
                teams=team_store.list_teams(session),
                stages={p: [(s, stage_store.deals_in_stage(session, s.id)) for s in stage_store.list_stages(session, p)]
                        for p in PIPELINES},
                reasons={p: stage_store.lost_reasons(session, p) for p in PIPELINES},
                currency=settings.currency(session),
                timezone=settings.team_timezone(session),
                open_editing=settings.open_editing(session),
                manager=me_now.is_manager and me_now.active,
            )
        self.post_message(self.Loaded(page))

    def on_team_screen_loaded(self, message: Loaded) -> None:
        self.page = message.page
        self.rows = self._rows(message.page)
        self._draw()
        self.refresh_bindings()

    def _rows(self, page: TeamPage) -> list[Row]:
        team_names = {t.id: t.name for t in page.teams}
        rows = [Row(REPS, cells=("", Text(REPS, style="bold"), "", "", ""))]
        for rep in page.reps:
            team = team_names.get(rep.team_id)
            rows.append(Row(REPS, rep, cells=(
                rep.handle, _one_line(rep.name), rep.role, _one_line(team) if team else "no team",
                f"{rep.capacity}/day {describe_working_days(rep.working_days)}",
            )))
        rows.append(Row(TEAMS, cells=("", Text(TEAMS, style="bold"), "", "", "")))
        for team in page.teams:
            place = " · ".join(_one_line(p) for p in (team.office, team.region) if p)
            rows.append(Row(TEAMS, team, cells=(
                "", _one_line(team.name), f"led by {team.manager_handle}" if team.manager_handle else "no manager",
                place or (team.timezone or ""), f"{team.members} member{'s' if team.members != 1 else ''}",
            )))
        for pipeline in PIPELINES:
            rows.append(Row(STAGES, pipeline=pipeline,
                            cells=("", Text(f"{pipeline.capitalize()} stages", style="bold"), "", "", "")))
            for stage, count in page.stages[pipeline]:
                rot = f"stale after {stage.rot_days}d" if stage.is_open else f"closes ({stage.kind})"
                rows.append(Row(STAGES, stage, pipeline, cells=(
                    f"{stage.position + 1}.", _one_line(stage.name), f"{stage.probability}%", rot,
                    f"{count:,} deal{'s' if count != 1 else ''}",
                )))
        for pipeline in PIPELINES:
            rows.append(Row(REASONS, pipeline=pipeline,
                            cells=("", Text(f"{pipeline.capitalize()} lost reasons", style="bold"), "", "", "")))
            for label in page.reasons[pipeline]:
                rows.append(Row(REASONS, label, pipeline, cells=("", _one_line(label), "", "", "")))
        return rows

    def _draw(self) -> None:
        page = self.page
        editing = "on" if page.open_editing else "off"
        mode = "c z o change these" if page.manager else "read-only (a manager's)"
        self.query_one("#team-settings", Static).update(
            f"{page.currency} · team timezone {page.timezone} · open editing {editing} · {mode}"
        )
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for index, each in enumerate(self.rows):
            table.add_row(*each.cells, key=str(index))
        if self.rows:
            table.move_cursor(row=min(max(row, 1), len(self.rows) - 1), animate=False)

    # --- what a key may do ---------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step), animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "add", "remove", "move_stage", "currency", "timezone", "open_editing"):
            return self.page is not None and self.page.manager
        return True

    @property
    def current(self) -> Row | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _form(self, title: str, fields: list[Field], save, done: str, hint: str = "") -> None:
        def saved(result) -> None:
            if result is not None:
                self.notify(done, markup=False)
                self.reload()

        self.app.push_screen(AdminForm(title, fields, save, hint), saved)

    @property
    def _me(self) -> int:
        return self.app.rep.id

    # --- changes: each through the store function the command line uses too -------------

    def action_edit(self) -> None:
        row = self.current
        if row is None or row.item is None:
            return
        if row.section == REPS:
            self._edit_rep(row.item)
        elif row.section == TEAMS:
            self._edit_team(row.item)
        elif row.section == STAGES:
            self._edit_stage(row.item)
        else:
            self._edit_reason(row.pipeline, row.item)

    def action_add(self) -> None:
        row = self.current
        section = row.section if row else REPS
        if section == REPS:
            self._add_rep()
        elif section == TEAMS:
            self._form("New team", [Field("name", "Name"), Field("manager", "Manager", hint="A manager's handle"),
                                    Field("office", "Office"), Field("region", "Region"),
                                    Field("timezone", "Timezone")],
                       self._save_new_team, "Team added")
        elif section == STAGES:
            pipeline = row.pipeline
            after = row.item.name if isinstance(row.item, StageInfo) and row.item.is_open else ""
            me = self._me

            def save(session, v):
                after_id = stage_store.find_stage(session, pipeline, v["after"]).id if v["after"].strip() else None
                return stage_store.add_stage(session, pipeline, v["name"], after=after_id,
                                             probability=whole(v["probability"], "probability"),
                                             rot_days=whole(v["rot"], "rot days"), by=me)

            self._form(f"New {pipeline} stage", [
                Field("name", "Name"), Field("after", "After stage", after, "Empty: after the last open stage"),
                Field("probability", "Probability %", "0"), Field("rot", "Stale after days", "14"),
            ], save, "Stage added")
        else:
            pipeline, me = row.pipeline, self._me
            self._form(f"New {pipeline} lost reason", [Field("label", "Reason")],
                       lambda session, v: stage_store.add_lost_reason(session, pipeline, v["label"], by=me),
                       "Lost reason added")

    def action_remove(self) -> None:
        row = self.current
        if row is None or row.item is None:
            return
        me = self._me
        if row.section == REPS:
            rep = row.item
            self._form(f"Deactivate {rep.handle}", [Field("to", "Give work to", hint="Who takes their open deals "
                                                                                    "and tasks (a handle)")],
                       lambda session, v: deactivation.deactivate_rep(session, rep.id, reassign_to=self._rep_id(
                           session, v["to"]), by=me), f"{rep.handle} deactivated",
                       hint="They no longer sign in; closed deals and history stay theirs. enter deactivates")
        elif row.section == STAGES:
            stage = row.item
            self._form(f"Retire the {stage.pipeline} stage {stage.name}", [
                Field("to", "Move deals to", hint="An open stage of the same pipeline (needed if it holds deals)")],
                lambda session, v: stage_store.retire_stage(session, stage.id, move_to=stage_store.find_stage(
                    session, stage.pipeline, v["to"]).id if v["to"].strip() else None, by=me),
                f"{stage.name} retired", hint="It leaves the boards; its history still reads. enter retires")
        elif row.section == REASONS:
            pipeline, label = row.pipeline, row.item
            self._form(f"Remove the lost reason {label}", [],
                       lambda session, v: stage_store.remove_lost_reason(session, pipeline, label, by=me),
                       "Lost reason removed", hint="Deals lost for it keep it. enter removes · escape keeps it")
        else:
            self.notify("A team stays; move its reps to another (edit a rep's Team)", markup=False)

    def action_move_stage(self, step: int) -> None:
        row = self.current
        if row is None or not isinstance(row.item, StageInfo) or not row.item.is_open:
            return
        stage, me = row.item, self._me
        names = [s.name for s, _ in self.page.stages[stage.pipeline] if s.is_open]
        index = names.index(stage.name)
        other = index + step
        if not 0 <= other < len(names):
            return
        names[index], names[other] = names[other], names[index]
        self._write(lambda session: stage_store.reorder_stages(session, stage.pipeline, names, by=me),
                    f"{stage.name} moved {'up' if step < 0 else 'down'}", follow=step)

    @work(thread=True, group="team-write", exit_on_error=False)
    def _write(self, operation, done: str, follow: int = 0) -> None:
        from store.errors import StoreError

        try:
            with self.app.database.session() as session:
                operation(session)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._written, done, follow)

    def _written(self, done: str, follow: int) -> None:
        self.notify(done, markup=False)
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + follow, animate=False)
        self.reload()

    def action_currency(self) -> None:
        me = self._me
        self._form("Currency", [Field("code", "Currency", self.page.currency, "Three letters, e.g. EUR. Amounts "
                                                                             "are not converted")],
                   lambda session, v: settings.set_currency(session, v["code"], by=me), "Currency changed")

    def action_timezone(self) -> None:
        me = self._me
        self._form("Team timezone", [Field("tz", "Timezone", self.page.timezone, "e.g. Europe/Berlin: periods and "
                                                                                 "today follow it")],
                   lambda session, v: settings.set_team_timezone(session, v["tz"].strip(), by=me) or True,
                   "Team timezone changed")

    def action_open_editing(self) -> None:
        me = self._me
        now = "true" if self.page.open_editing else "false"
        self._form("Open editing", [Field("on", "Open editing", now, "true: every rep changes every deal and task")],
                   lambda session, v: settings.set_open_editing(
                       session, settings.parse_flag(v["on"], "open editing"), by=me) or True,
                   "Open editing changed")
