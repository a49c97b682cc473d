"""Stages and lost reasons: data a team can rename and re-weight."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from store import validate
from store.errors import InvalidInput, NotFound
from store.models import OPEN, PIPELINES, LostReason, Stage
from store.tx import write

# Column widths (see models.py): PostgreSQL refuses longer text, SQLite keeps it.
MAX_STAGE_NAME = 64
MAX_REASON_LABEL = 100


@dataclass(frozen=True)
class StageInfo:
    id: int
    pipeline: str
    name: str
    position: int
    kind: str
    probability: int
    rot_days: int

    @property
    def is_open(self) -> bool:
        return self.kind == OPEN


def to_info(stage: Stage) -> StageInfo:
    return StageInfo(
        id=stage.id,
        pipeline=stage.pipeline,
        name=stage.name,
        position=stage.position,
        kind=stage.kind,
        probability=stage.probability,
        rot_days=stage.rot_days,
    )


def _check_pipeline(pipeline: str) -> None:
    if pipeline not in PIPELINES:
        raise InvalidInput(f"pipeline {pipeline!r} must be one of {', '.join(PIPELINES)}")


def list_stages(session: Session, pipeline: str, *, open_only: bool = False) -> list[StageInfo]:
    _check_pipeline(pipeline)
    query = select(Stage).where(Stage.pipeline == pipeline).order_by(Stage.position)
    if open_only:
        query = query.where(Stage.kind == OPEN)
    return [to_info(s) for s in session.exec(query)]


def get_stage(session: Session, stage_id: int) -> StageInfo:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(f"no stage with id {stage_id}")
    return to_info(stage)


def find_stage(session: Session, pipeline: str, name: str) -> StageInfo:
    stages = list_stages(session, pipeline)
    for stage in stages:
        if stage.name.casefold() == name.strip().casefold():
            return stage
    names = ", ".join(s.name for s in stages)
    raise NotFound(f"no {pipeline} stage called {name!r} (stages: {names})")


def terminal_stage(session: Session, pipeline: str, kind: str) -> StageInfo:
    stage = session.exec(
        select(Stage).where(Stage.pipeline == pipeline, Stage.kind == kind).order_by(Stage.position)
    ).first()
    if stage is None:
        raise NotFound(f"the {pipeline} pipeline has no {kind} stage")
    return to_info(stage)


def update_stage(
    session: Session,
    stage_id: int,
    *,
    name: str | None = None,
    probability: int | None = None,
    rot_days: int | None = None,
) -> StageInfo:
    validate.ident(stage_id, "stage")
    validate.text(name, "a stage name")
    validate.whole(probability, "probability")
    validate.whole(rot_days, "rot threshold", high=36_500)
    with write(session):
        stage = session.get(Stage, stage_id)
        if stage is None:
            raise NotFound(f"no stage with id {stage_id}")
        if name is not None:
            name = name.strip()
            if not name:
                raise InvalidInput("a stage needs a name")
            if len(name) > MAX_STAGE_NAME:
                raise InvalidInput(f"a stage name is at most {MAX_STAGE_NAME} characters")
            # Stages are found by name case-insensitively: two must not share one.
            for other in session.exec(select(Stage).where(Stage.pipeline == stage.pipeline, Stage.id != stage.id)):
                if other.name.casefold() == name.casefold():
                    raise InvalidInput(f"the {stage.pipeline} pipeline already has a stage called {other.name!r}")
            stage.name = name
        if probability is not None:
            if not 0 <= probability <= 100:
                raise InvalidInput(f"probability {probability} must be between 0 and 100")
            stage.probability = probability
        if rot_days is not None:
            if rot_days < 0:
                raise InvalidInput("rot threshold must be zero or more days")
            stage.rot_days = rot_days
        session.add(stage)
        session.flush()
        info = to_info(stage)
    return info


def lost_reasons(session: Session, pipeline: str) -> list[str]:
    _check_pipeline(pipeline)
    query = select(LostReason.label).where(LostReason.pipeline == pipeline)
    return list(session.exec(query.order_by(LostReason.position)))


def set_lost_reasons(session: Session, pipeline: str, labels: list[str]) -> list[str]:
    _check_pipeline(pipeline)
    cleaned = [label.strip() for label in labels if validate.text(label, "a lost reason").strip()]
    if any(len(label) > MAX_REASON_LABEL for label in cleaned):
        raise InvalidInput(f"a lost reason is at most {MAX_REASON_LABEL} characters")
    if len({c.casefold() for c in cleaned}) != len(cleaned):
        raise InvalidInput("lost reasons must be different from each other")
    with write(session):
        for row in session.exec(select(LostReason).where(LostReason.pipeline == pipeline)):
            session.delete(row)
        session.flush()
        for position, label in enumerate(cleaned):
            session.add(LostReason(pipeline=pipeline, label=label, position=position))
    return cleaned
