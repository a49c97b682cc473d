"""Where the time goes: pyinstrument profiles of the benchmark's figures. A dev tool.

    pip install pyinstrument          # into the venv; not a project dependency
    python -m bench.hotspots WHAT [--deals 100000] [--repeat 20] [--out DIR]

WHAT is one of:

* ``startup``  — one legwork launch (rep ``alex``; ``--manager`` for ``morgan``) in a
  pseudo-terminal, as bench.run measures it, under ``python -m pyinstrument``;
* ``imports``  — ``python -X importtime`` of that launch's imports, the 25 slowest;
* ``move``     — ``--repeat`` stage moves with the board reload (team board with
  ``--manager``, else the rep's);
* ``keypress`` — stage moves by key press under App.run_test (async profile);
* ``dealscreen`` — opening the 500-entry deal's screen under App.run_test;
* ``timeline`` / ``today`` / ``numbers`` — ``--repeat`` runs of that store call.

It works on a scratch copy of bench/.data/scale-DEALS.db (built by bench.seed or
bench.run first) and writes DIR/WHAT-DEALS.txt (default DIR: bench/.data/profiles).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / ".data"


def _scratch(deals: int, data: Path = DATA) -> tuple[Path, dict]:
    source = data / f"scale-{deals}.db"
    info = json.loads((data / f"scale-{deals}.db.json").read_text())
    work = data / f"profile-{deals}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, work)
    return work, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotspots")
    parser.add_argument("what", choices=["startup", "imports", "move", "keypress", "dealscreen", "timeline", "today",
                                                   "numbers"])
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--manager", action="store_true", help="as the manager (team board)")
    parser.add_argument("--data", type=Path, default=DATA, help="where the data sets are (default bench/.data)")
    parser.add_argument("--out", type=Path, help="where the profiles go (default DATA/profiles)")
    args = parser.parse_args(argv)
    args.out = args.out or args.data / "profiles"
    args.out.mkdir(parents=True, exist_ok=True)
    work, info = _scratch(args.deals, args.data)
    url = f"sqlite:///{work}"
    handle = "morgan" if args.manager else "alex"
    suffix = "-manager" if args.manager else ""
    target = args.out / f"{args.what}{suffix}-{args.deals}.txt"

    if args.what in ("startup", "imports"):
        from bench.run import launch
        from store.db import open_database

        open_database(url).dispose()  # migrate first, as bench.run does
        if args.what == "startup":
            result = launch(["legwork", url, handle], profile_to=target)
        else:
            result = launch(["legwork", url, handle], importtime_to=target)
        print(json.dumps(result))
        print(f"written {target}")
        return 0

    from pyinstrument import Profiler

    from bench import _measure as m
    from store.board import BoardFilter
    from store.db import open_database
    from store.reps import find_rep

    database = open_database(url)
    with database.session() as session:
        rep = find_rep(session, handle)
        alex = find_rep(session, "alex")
        manager = find_rep(session, "morgan")
        deal_id, _ = m.first_stage_deal(session, alex.id, info["timeline_deal"])
    profiler = Profiler(interval=0.0005, async_mode="enabled" if args.what in ("keypress", "dealscreen") else "disabled")
    if args.what in ("keypress", "dealscreen"):
        profiler.start()
        if args.what == "keypress":
            result = asyncio.run(m._pilot(database, handle, args.repeat, info["timeline_deal"], opens=0))
        else:
            result = asyncio.run(m._pilot(database, handle, 0, info["timeline_deal"], moves=False,
                                          opens=args.repeat + 1))
        profiler.stop()
        print(json.dumps(result))
    else:
        calls = {
            "move": lambda: m.stage_moves(database, args.repeat, rep,
                                          BoardFilter(owner_id=None if args.manager else rep.id), deal_id),
            "timeline": lambda: m.timed(database, lambda s: __import__("store.timeline", fromlist=["x"]).deal_timeline(
                s, info["timeline_deal"]), args.repeat),
            "today": lambda: m._today(database, args.repeat, alex),
            "numbers": lambda: m._numbers(database, args.repeat, alex, manager),
        }
        profiler.start()
        result = calls[args.what]()
        profiler.stop()
        print(json.dumps(result)[:2000])
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    try:  # the functions that spend the time themselves, whatever called them
        flat = profiler.output_text(unicode=True, color=False, flat=True)
    except TypeError:  # an older pyinstrument
        flat = ""
    target.write_text(tree + "\n\n==== flat (self time) ====\n" + "\n".join(flat.splitlines()[:60]) + "\n")
    database.dispose()
    for suffix_ in ("", "-wal", "-shm"):
        Path(str(work) + suffix_).unlink(missing_ok=True)
    print(f"written {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
