"""``legwork stages``: the pipelines' stages, their win probability (what the forecast
weighs deals by) and rot days (when a quiet deal is stale). Changes are a manager's.

    legwork stages list [--pipeline lead|opportunity] [--json]
    legwork stages add PIPELINE NAME [--after STAGE] [--probability N] [--rot-days N]
    legwork stages rename NAME NEW [--pipeline P]
    legwork stages reorder PIPELINE NAME1,NAME2,...
    legwork stages set NAME [--probability N] [--rot-days N] [--pipeline P]
    legwork stages retire NAME [--move-to OTHER] [--pipeline P]
"""

from __future__ import annotations

from store import stages as stage_store
from store.terms import PIPELINES
from store.stages import StageInfo
from tui.commands.admin import Refused, acting, one_line, percent, run_action, subcommands, whole
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    add = subcommands(parser, "stages_action")
    listing = add("list", "the stages of both pipelines (or one), in board order", json=True)
    listing.add_argument("--pipeline", choices=PIPELINES)
    new = add("add", "add an open stage", json=True)
    new.add_argument("pipeline", choices=PIPELINES, metavar="PIPELINE", help="lead or opportunity")
    new.add_argument("name", metavar="NAME")
    new.add_argument("--after", metavar="STAGE", help="the open stage it follows (default: the last one)")
    new.add_argument("--probability", metavar="N", help="win probability in percent (default 0)")
    new.add_argument("--rot-days", metavar="N", help="days without activity before a deal is stale (default 14)")
    rename = add("rename", "rename a stage", json=True)
    rename.add_argument("name", metavar="NAME")
    rename.add_argument("new_name", metavar="NEW")
    rename.add_argument("--pipeline", choices=PIPELINES, help="when both pipelines have a stage of that name")
    order = add("reorder", "put a pipeline's open stages in a new order (name every one)", json=True)
    order.add_argument("pipeline", choices=PIPELINES, metavar="PIPELINE")
    order.add_argument("order", metavar="NAME1,NAME2,...")
    change = add("set", "set a stage's probability and rot days", json=True)
    change.add_argument("name", metavar="NAME")
    change.add_argument("--probability", metavar="N")
    change.add_argument("--rot-days", metavar="N")
    change.add_argument("--pipeline", choices=PIPELINES)
    retire = add("retire", "retire an open stage; its deals move to --move-to", json=True)
    retire.add_argument("name", metavar="NAME")
    retire.add_argument("--move-to", metavar="STAGE", help="the open stage its deals move to")
    retire.add_argument("--pipeline", choices=PIPELINES)


def run(args, database, handle: str) -> int:
    return run_action(args, database, handle, _ACTIONS, "stages_action")


def _list(session, args, handle) -> int:
    pipelines = [args.pipeline] if args.pipeline else list(PIPELINES)
    listed = {p: stage_store.list_stages(session, p) for p in pipelines}
    counts = {s.id: stage_store.deals_in_stage(session, s.id) for each in listed.values() for s in each}
    if args.json:
        out_json([as_json(s, counts[s.id]) for p in pipelines for s in listed[p]])
        return 0
    lines = []
    for pipeline in pipelines:
        lines.append(f"{pipeline}:")
        lines.extend(f"  {stage_line(s, counts[s.id])}" for s in listed[pipeline])
    write_lines(lines)
    return 0


def _add(session, args, handle) -> int:
    by = acting(session, handle)
    after = stage_store.find_stage(session, args.pipeline, args.after).id if args.after else None
    stage = stage_store.add_stage(
        session, args.pipeline, args.name, after=after,
        probability=percent(args.probability) if args.probability is not None else 0,
        rot_days=whole(args.rot_days, "rot days") if args.rot_days is not None else stage_store.DEFAULT_ROT_DAYS,
        by=by,
    )
    return _done(session, args, stage, "added")


def _rename(session, args, handle) -> int:
    by = acting(session, handle)
    stage = stage_store.find_stage_named(session, args.name, args.pipeline)
    stage = stage_store.update_stage(session, stage.id, name=args.new_name, by=by)
    return _done(session, args, stage, "renamed")


def _reorder(session, args, handle) -> int:
    by = acting(session, handle)
    names = [n for n in args.order.split(",") if n.strip()]
    ordered = stage_store.reorder_stages(session, args.pipeline, names, by=by)
    if args.json:
        out_json([as_json(s, stage_store.deals_in_stage(session, s.id)) for s in ordered])
    else:
        write_lines([f"{args.pipeline}: " + " → ".join(one_line(s.name) for s in ordered)])
    return 0


def _set(session, args, handle) -> int:
    by = acting(session, handle)
    if args.probability is None and args.rot_days is None:
        raise Refused("nothing to change: give --probability N and/or --rot-days N")
    stage = stage_store.find_stage_named(session, args.name, args.pipeline)
    stage = stage_store.update_stage(
        session, stage.id,
        probability=percent(args.probability) if args.probability is not None else None,
        rot_days=whole(args.rot_days, "rot days") if args.rot_days is not None else None,
        by=by,
    )
    return _done(session, args, stage, "changed")


def _retire(session, args, handle) -> int:
    by = acting(session, handle)
    stage = stage_store.find_stage_named(session, args.name, args.pipeline)
    move_to = stage_store.find_stage(session, stage.pipeline, args.move_to).id if args.move_to else None
    moved = stage_store.retire_stage(session, stage.id, move_to=move_to, by=by)
    target = stage_store.get_stage(session, move_to).name if move_to else None
    if args.json:
        out_json({"pipeline": stage.pipeline, "stage": stage.name, "retired": True, "deals_moved": moved,
                  "moved_to": target})
    else:
        tail = f"; {moved} deal{'s' if moved != 1 else ''} moved to {one_line(target)}" if moved else ""
        write_lines([f"retired the {stage.pipeline} stage {one_line(stage.name)}{tail}"])
    return 0


def _done(session, args, stage: StageInfo, verb: str) -> int:
    count = stage_store.deals_in_stage(session, stage.id)
    if args.json:
        out_json(as_json(stage, count))
    else:
        write_lines([f"{verb} {stage.pipeline} stage {stage_line(stage, count)}"])
    return 0


def as_json(stage: StageInfo, deals: int) -> dict:
    return {"pipeline": stage.pipeline, "name": stage.name, "position": stage.position + 1, "kind": stage.kind,
            "probability": stage.probability, "rot_days": stage.rot_days, "deals": deals}


def stage_line(stage: StageInfo, deals: int) -> str:
    """``3. Proposal · 60% · stale after 14 days · 12 deals`` (won and lost say so)."""
    parts = [f"{stage.position + 1}. {one_line(stage.name)}", f"{stage.probability}%"]
    if stage.is_open:
        parts.append(f"stale after {stage.rot_days} day{'s' if stage.rot_days != 1 else ''}")
    else:
        parts.append(f"closes as {stage.kind}")
    parts.append(f"{deals:,} deal{'s' if deals != 1 else ''}")
    return " · ".join(parts)


_ACTIONS = {"list": _list, "add": _add, "rename": _rename, "reorder": _reorder, "set": _set, "retire": _retire}
