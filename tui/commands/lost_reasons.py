"""``legwork lost-reasons``: the reasons offered when a deal is lost or disqualified.

    legwork lost-reasons list [--pipeline lead|opportunity] [--json]
    legwork lost-reasons add PIPELINE LABEL
    legwork lost-reasons remove PIPELINE LABEL
    legwork lost-reasons set PIPELINE LABEL [LABEL ...]     (the whole list, in order)

Changes are a manager's. A deal lost for a reason later removed keeps it.
"""

from __future__ import annotations

from store import stages as stage_store
from store.terms import PIPELINES
from tui.commands.admin import acting, one_line, run_action, subcommands
from tui.commands.output import out_json, write_lines


def add_arguments(parser) -> None:
    add = subcommands(parser, "reasons_action")
    listing = add("list", "the lost reasons of both pipelines (or one)", json=True)
    listing.add_argument("--pipeline", choices=PIPELINES)
    for name, help_text in (("add", "add a reason at the end"), ("remove", "remove a reason")):
        sub = add(name, help_text, json=True)
        sub.add_argument("pipeline", choices=PIPELINES, metavar="PIPELINE", help="lead or opportunity")
        sub.add_argument("label", metavar="LABEL")
    replace = add("set", "replace the pipeline's reasons with these, in this order", json=True)
    replace.add_argument("pipeline", choices=PIPELINES, metavar="PIPELINE")
    replace.add_argument("labels", metavar="LABEL", nargs="+")


def run(args, database, handle: str) -> int:
    return run_action(args, database, handle, _ACTIONS, "reasons_action")


def _show(args, reasons: dict[str, list[str]]) -> int:
    if args.json:
        out_json(reasons)
    else:
        write_lines([f"{p}: " + (" · ".join(one_line(r) for r in labels) or "(none)") for p, labels in reasons.items()])
    return 0


def _list(session, args, handle) -> int:
    pipelines = [args.pipeline] if args.pipeline else list(PIPELINES)
    return _show(args, {p: stage_store.lost_reasons(session, p) for p in pipelines})


def _add(session, args, handle) -> int:
    by = acting(session, handle)
    return _show(args, {args.pipeline: stage_store.add_lost_reason(session, args.pipeline, args.label, by=by)})


def _remove(session, args, handle) -> int:
    by = acting(session, handle)
    return _show(args, {args.pipeline: stage_store.remove_lost_reason(session, args.pipeline, args.label, by=by)})


def _set(session, args, handle) -> int:
    by = acting(session, handle)
    return _show(args, {args.pipeline: stage_store.set_lost_reasons(session, args.pipeline, args.labels, by=by)})


_ACTIONS = {"list": _list, "add": _add, "remove": _remove, "set": _set}
