"""The Team screen's forms: each field a line, each save one store function (the same
as the command line's), run by ``AdminForm`` in a worker. Mixed into TeamScreen,
which provides ``page``, ``_me`` and ``_form``."""

from __future__ import annotations

from store import reps as rep_store
from store import stages as stage_store
from store import teams as team_store
from store.errors import InvalidInput
from store.reps import KEEP, RepInfo
from store.stages import StageInfo
from store.teams import TeamInfo
from store.terms import ROLES
from store.workweek import describe_working_days, parse_working_days
from tui.screens.modals.admin_form import Field, whole


class TeamForms:
    @staticmethod
    def _rep_id(session, handle: str) -> int | None:
        handle = handle.strip().lower()
        if not handle:
            return None
        rep = rep_store.find_rep(session, handle)
        if rep is None:
            raise InvalidInput(f"no rep with handle {handle!r}")
        return rep.id

    @staticmethod
    def _team_id(session, name: str) -> int | None:
        return team_store.find_team(session, name).id if name.strip() else None

    def _rep_fields(self, rep: RepInfo | None) -> list[Field]:
        team_names = {t.id: t.name for t in self.page.teams}
        return [
            Field("name", "Name", rep.name if rep else ""),
            Field("email", "Email", (rep.email or "") if rep else ""),
            Field("role", "Role", rep.role if rep else "rep", " or ".join(ROLES)),
            Field("team", "Team", team_names.get(rep.team_id, "") if rep else "",
                  "Teams: " + (", ".join(team_names.values()) or "none yet")),
            Field("timezone", "Timezone", rep.timezone if rep else "UTC"),
            Field("capacity", "Tasks a day", str(rep.capacity) if rep else "12"),
            Field("days", "Working days", describe_working_days(rep.working_days) if rep else "Mon–Fri"),
        ]

    def _add_rep(self) -> None:
        me = self._me

        def save(session, v):
            return rep_store.create_rep(
                session, v["handle"], v["name"], email=v["email"] or None, role=v["role"].strip(),
                timezone=v["timezone"].strip(), capacity=whole(v["capacity"], "capacity"),
                working_days=parse_working_days(v["days"]), team_id=self._team_id(session, v["team"]), by=me,
            )

        self._form("New rep", [Field("handle", "Handle", hint="How they sign in: lower-case, e.g. ana.reyes"),
                               *self._rep_fields(None)], save, "Rep added")

    def _edit_rep(self, rep: RepInfo) -> None:
        me = self._me

        def save(session, v):
            team_id = self._team_id(session, v["team"])
            return rep_store.update_rep(
                session, rep.id, name=v["name"], email=v["email"].strip() or None,
                role=v["role"].strip() if v["role"].strip() != rep.role else None,
                team_id=team_id if team_id != rep.team_id else KEEP,
                timezone=v["timezone"].strip(), capacity=whole(v["capacity"], "capacity"),
                working_days=parse_working_days(v["days"]), by=me,
            )

        self._form(f"Rep {rep.handle}", self._rep_fields(rep), save, f"{rep.handle} saved")

    def _save_new_team(self, session, v):
        return team_store.create_team(session, v["name"], manager_id=self._rep_id(session, v["manager"]),
                                      office=v["office"], region=v["region"], timezone=v["timezone"], by=self._me)

    def _edit_team(self, team: TeamInfo) -> None:
        me = self._me

        def save(session, v):
            return team_store.update_team(
                session, team.id, name=v["name"], manager_id=self._rep_id(session, v["manager"]),
                office=v["office"], region=v["region"], timezone=v["timezone"], by=me,
            )

        self._form(f"Team {team.name}", [
            Field("name", "Name", team.name), Field("manager", "Manager", team.manager_handle or "", "A manager's handle"),
            Field("office", "Office", team.office or ""), Field("region", "Region", team.region or ""),
            Field("timezone", "Timezone", team.timezone or ""),
        ], save, "Team saved")

    def _edit_stage(self, stage: StageInfo) -> None:
        me = self._me

        def save(session, v):
            return stage_store.update_stage(
                session, stage.id, name=v["name"],
                probability=whole(v["probability"], "probability") if stage.is_open else None,
                rot_days=whole(v["rot"], "rot days"), by=me,
            )

        fields = [Field("name", "Name", stage.name)]
        if stage.is_open:
            fields.append(Field("probability", "Probability %", str(stage.probability), "What the forecast weighs "
                                                                                        "its deals by"))
        fields.append(Field("rot", "Stale after days", str(stage.rot_days)))
        self._form(f"The {stage.pipeline} stage {stage.name}", fields, save, "Stage saved",
                   hint="K / J on the page move an open stage up / down. enter saves · escape cancels")

    def _edit_reason(self, pipeline: str, label: str) -> None:
        me, labels = self._me, list(self.page.reasons[pipeline])

        def save(session, v):
            return stage_store.set_lost_reasons(session, pipeline, [v["label"] if r == label else r for r in labels],
                                                by=me)

        self._form(f"The {pipeline} lost reason", [Field("label", "Reason", label)], save, "Lost reason saved")
