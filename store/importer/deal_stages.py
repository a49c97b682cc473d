"""Which stage a deal row is in: its stage, status and pipeline cells read against our
stages, with ``--stage "Theirs=Ours"`` and ``--pipeline``, and other CRMs' words for
won, lost, disqualified and open. ``DealStages`` is the part of the deal import
(``store.importer.deal_plan.DealImport``) that reads them.
"""

from __future__ import annotations

from sqlmodel import Session

from store.errors import InvalidInput
from store.import_values import normalise, parse_flag
from store.models import LEAD, LOST, OPEN, OPPORTUNITY, WON
from store.stages import StageInfo, list_stages

_WON_WORDS = {"won", "closedwon", "dealwon", "win", "wonclosed", "signed"}
_LOST_WORDS = {"lost", "closedlost", "deallost", "loss", "lostclosed"}
_DISQUALIFIED_WORDS = {"disqualified", "unqualified", "dq", "junk", "notqualified", "notafit"}
_OPEN_WORDS = {"open", "active", "inprogress", "ongoing", "new"}
_PIPELINE_WORDS = {
    "lead": LEAD, "leads": LEAD, "leadpipeline": LEAD,
    "opportunity": OPPORTUNITY, "opportunities": OPPORTUNITY, "opp": OPPORTUNITY, "opps": OPPORTUNITY,
    "deal": OPPORTUNITY, "deals": OPPORTUNITY, "opportunitypipeline": OPPORTUNITY,
}


class DealStages:
    """Reading a deal row's stage; its attributes are set by ``load_stages``."""

    def load_stages(self, session: Session) -> None:
        """The pipelines' stages by name, and the ``--stage`` and ``--pipeline`` options read."""
        self.stages = {p: list_stages(session, p) for p in (LEAD, OPPORTUNITY)}
        self.open = {p: [s for s in stages if s.kind == OPEN] for p, stages in self.stages.items()}
        self.terminal = {
            (p, kind): next((s for s in stages if s.kind == kind), None)
            for p, stages in self.stages.items()
            for kind in (WON, LOST)
        }
        self.by_name = {p: {normalise(s.name): s for s in stages} for p, stages in self.stages.items()}
        self.stage_map = self._stage_map(self.options.stages)
        self.default_pipeline = self.options.pipeline
        if self.default_pipeline not in (None, LEAD, OPPORTUNITY):
            raise InvalidInput(f"--pipeline {self.default_pipeline!r} must be lead or opportunity")

    def _stage_map(self, pairs: tuple[str, ...]) -> dict[str, StageInfo]:
        out: dict[str, StageInfo] = {}
        for pair in pairs:
            theirs, sep, ours = pair.rpartition("=")
            if not sep or not theirs.strip() or not ours.strip():
                raise InvalidInput(f"--stage {pair!r}: write it as \"Their Stage=Our Stage\"")
            pipeline, _, name = ours.strip().rpartition(":")
            pipelines = [_PIPELINE_WORDS[normalise(pipeline)]] if pipeline and normalise(pipeline) in _PIPELINE_WORDS \
                else [OPPORTUNITY, LEAD]
            if pipeline and normalise(pipeline) not in _PIPELINE_WORDS:
                name = ours.strip()
            found = [self.by_name[p][normalise(name)] for p in pipelines if normalise(name) in self.by_name[p]]
            if not found:
                raise InvalidInput(f"--stage {pair!r}: there is no stage called {name.strip()!r} ({self._stage_list()})")
            if len(found) > 1:
                raise InvalidInput(
                    f"--stage {pair!r}: both pipelines have a stage called {name.strip()!r}; "
                    f"say which, e.g. \"{theirs.strip()}=opportunity:{found[0].name}\""
                )
            out[normalise(theirs)] = found[0]
        return out

    def stage_help(self) -> list[str]:
        from store.import_report import stage_help

        return stage_help(self.unmatched, self.unmatched_pipeline, self.stages, self.open)

    def _stage_list(self) -> str:
        return "; ".join(
            f"{'leads' if p == LEAD else 'opportunities'}: {', '.join(s.name for s in self.stages[p])}"
            for p in (LEAD, OPPORTUNITY)
        )

    def _stage(self, text: str, hint: str | None) -> StageInfo | None:
        key = normalise(text)
        if key in self.stage_map:
            return self.stage_map[key]
        pipelines = [hint] if hint else [OPPORTUNITY, LEAD]
        found = [self.by_name[p][key] for p in pipelines if key in self.by_name[p]]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InvalidInput(
                f"stage {text!r} is in both pipelines: add a pipeline column, or pass --pipeline"
            )
        if key in _WON_WORDS and hint != LEAD:
            return self.terminal[(OPPORTUNITY, WON)]
        if key in _LOST_WORDS:
            return self.terminal[(hint or OPPORTUNITY, LOST)]
        if key in _DISQUALIFIED_WORDS:
            return self.terminal[(hint or LEAD, LOST)]
        return None

    def _status(self, values: dict[str, str], reasons: list[str]) -> str | None:
        """"won", "lost", "open", "deleted" or None (the stage decides), from a status column
        (Pipedrive) or won / closed flags (Salesforce)."""
        status = values.get("status")
        closed: bool | None = None
        if status:
            key = normalise(status)
            if key in _WON_WORDS:
                return WON
            if key in _LOST_WORDS or key in _DISQUALIFIED_WORDS:
                return LOST
            if key in _OPEN_WORDS:
                return OPEN
            if key == "deleted":
                return "deleted"
            if key != "closed":
                reasons.append(f"status {status!r} is none of open, won, lost")
                return None
            closed = True
        try:
            won = parse_flag(values["is_won"], "won") if "is_won" in values else None
            if "is_closed" in values:
                closed = parse_flag(values["is_closed"], "closed")
        except InvalidInput as exc:
            reasons.append(str(exc))
            return None
        if won:
            return WON
        if closed:
            return LOST if won is False else None  # closed, won or lost unknown: the stage says
        if closed is False:
            return OPEN
        return None

    def _pipeline_hint(self, values: dict[str, str]) -> str | None:
        text = values.get("pipeline")
        if text:
            found = _PIPELINE_WORDS.get(normalise(text))
            if found:
                return found
        return self.default_pipeline

    def _place(self, stage: StageInfo | None, status: str | None, hint: str | None, unmatched: bool,
               reasons: list[str]) -> tuple[str, StageInfo, StageInfo | None] | None:
        """(pipeline, the stage it is in now, the open stage it was closed from)."""
        if unmatched:
            return None
        closed = stage.kind if stage is not None and stage.kind != OPEN else None
        if status in (WON, LOST) and closed and status != closed:
            reasons.append(f"stage {stage.name!r} but status {status}")
            return None
        if status == OPEN and closed:
            reasons.append(f"stage {stage.name!r} but status open")
            return None
        closed = closed or (status if status in (WON, LOST) else None)
        pipeline = stage.pipeline if stage is not None else hint or (OPPORTUNITY if closed == WON else None)
        pipeline = pipeline or OPPORTUNITY
        if closed == WON and pipeline == LEAD:
            reasons.append("a lead cannot be won: make it an opportunity (pipeline column or --pipeline)")
            return None
        if closed:
            terminal = self.terminal[(pipeline, closed)]
            if terminal is None:
                reasons.append(f"the {pipeline} pipeline has no {closed} stage")
                return None
            if stage is not None and stage.kind == OPEN:
                closed_from = stage
            else:
                open_ = self.open[pipeline]
                closed_from = open_[-1] if closed == WON else open_[0]
            return pipeline, terminal, closed_from
        if stage is None:
            stage = self.open[pipeline][0]
        return pipeline, stage, None
