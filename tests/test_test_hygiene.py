"""Tests that cannot hang and do not guess: every loop that waits on something has a
deadline, and no test sleeps a fixed time before it asserts or takes a snapshot.

A wait is for the condition the test needs (`wait_until`, `settle`,
`app.workers.wait_for_complete()`); `pilot.pause()` with no delay only lets messages
flow and is fine. A delay is allowed only inside a loop that polls for a condition and
can stop (it breaks, returns or raises, or its `while` tests something).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# A loop that waits mentions one of these (`deadline = loop.time() + timeout`, ...).
DEADLINE_WORDS = ("deadline", "timeout")
SLEEPS = {"pause", "sleep"}


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            return func.id
    return None


def _delay(call: ast.Call) -> float | None:
    """The call's delay when it is a number written in the source, else None."""
    args = list(call.args[:1]) + [k.value for k in call.keywords if k.arg in ("delay", "seconds")]
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, (int, float)) and not isinstance(arg.value, bool):
            return float(arg.value)
    return None


def _waits(loop: ast.While) -> bool:
    """Whether the loop's body waits for something outside it: awaits, or sleeps."""
    for node in ast.walk(loop):
        if isinstance(node, ast.Await) or _called(node) in SLEEPS:
            return True
    return False


def _mentions_deadline(loop: ast.While) -> bool:
    for node in ast.walk(loop):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name and any(word in name.lower() for word in DEADLINE_WORDS):
            return True
    return False


def _can_stop(loop: ast.For | ast.AsyncFor | ast.While) -> bool:
    """Whether the loop polls for a condition: its `while` tests one, or its body can leave."""
    if isinstance(loop, ast.While) and not (isinstance(loop.test, ast.Constant) and loop.test.value):
        return True
    # An assert is no way out: a sleep, then an assert, in a loop is a fixed wait each time round.
    return any(isinstance(node, (ast.Break, ast.Return, ast.Raise)) for node in ast.walk(loop))


def problems(source: str, where: str) -> list[str]:
    """Each unbounded waiting loop and each fixed sleep in ``source``, as ``where:line: why``."""
    tree = ast.parse(source)
    found: list[str] = []
    loops: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.While):
            forever = isinstance(node.test, ast.Constant) and bool(node.test.value)
            if (forever or _waits(node)) and not _mentions_deadline(node):
                found.append(f"{where}:{node.lineno}: a `while` that waits with no deadline")
        call = _called(node)
        if call in SLEEPS and isinstance(node, ast.Call):
            delay = _delay(node)
            if delay is not None and delay > 0:
                poll = next((loop for loop in reversed(loops) if _can_stop(loop)), None)
                if poll is None:
                    found.append(f"{where}:{node.lineno}: {call}({delay:g}) waits a fixed time: wait for the condition")
        is_loop = isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        if is_loop:
            loops.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)
        if is_loop:
            loops.pop()

    visit(tree)
    return found


def test_no_test_waits_unbounded_or_for_a_fixed_time():
    files = sorted(p for p in TESTS.rglob("*.py") if "__snapshots__" not in p.parts)
    assert len(files) > 50, f"scanned only {len(files)} files under {TESTS}"
    found: list[str] = []
    for path in files:
        found += problems(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)))
    assert not found, "\n".join(found)


def test_the_scan_finds_the_waits_it_looks_for():
    """The guard above fails on what it exists to catch (so it cannot pass by finding nothing)."""
    bad = '''
async def walk(pilot, table, index):
    while table.cursor_row < index:
        await pilot.press("j")

async def forever(pilot):
    while True:
        await pilot.pause()

def spin(process):
    while process.poll() is None:
        time.sleep(0.1)

async def snapshot(pilot):
    await pilot.press("4")
    await pilot.pause(0.3)
    assert pilot.app.screen

async def disguised(pilot):
    for _ in range(3):
        await pilot.pause(delay=0.5)
    await asyncio.sleep(1)

async def each_key(pilot):
    for key in "jk":
        await pilot.press(key)
        await pilot.pause(0.2)
        assert pilot.app.screen
'''
    found = problems(bad, "bad.py")
    assert sorted(int(line.split(":")[1]) for line in found) == [3, 7, 11, 16, 21, 22, 27], found
    good = '''
async def wait_until(pilot, condition, timeout=10.0):
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("waited")
        await pilot.pause(0.02)

async def poll(pilot):
    for _ in range(100):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError("never ready")

def walk(pending):
    while pending:
        pending.extend(pending.pop().__subclasses__())

async def flow(pilot):
    await pilot.pause()
    await pilot.pause(0)
'''
    assert problems(good, "good.py") == []
