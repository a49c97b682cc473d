"""``legwork ssh-session HANDLE``: what an SSH key's forced command runs (store/ssh_keys.py).

The key decides who is signed in. ``--rep``, ``LEGWORK_REP`` and the config file's
``rep`` change nothing here; a ``--db`` the client sends is ignored too (the key's
command names the database). ``SSH_ORIGINAL_COMMAND`` is what the client asked for:

- empty (``ssh legwork@crm``), or only ``--theme``: the boards, as HANDLE; a HANDLE
  the database does not know, or deactivated, gets one line and exit 1, never the
  onboarding (which would let the client be someone else);
- ``today``, ``numbers``, ``standup``, ``export calendar``: the read-only companions,
  for HANDLE, with the options listed in ``ALLOWED`` (nothing that writes a file on
  the server);
- anything else (``import``, ``keys``, a shell command): one line, exit 1.
"""

from __future__ import annotations

import os
import shlex
import sys

EXIT_REFUSED = 1
IGNORED = ("--rep", "--db")  # said once, then dropped: the key decides who and where
# command -> {option: takes a value}
ALLOWED: dict[str, dict[str, bool]] = {
    "today": {"--json": False},
    "numbers": {"--period": True, "--offset": True, "--json": False},
    "standup": {"--since": True, "--markdown": False},
    "export": {},  # ``export calendar`` only: your open tasks as .ics, on standard output
}
GLOBAL = {"--theme": True}
WHAT_IS_ALLOWED = "over SSH Legwork runs the boards, today, numbers [--period …], standup and export calendar"


class Refused(Exception):
    """The client asked for something a key's session does not do; one line."""


def _say(message: str) -> None:
    from store.safe_text import visible

    print(f"legwork: {visible(message)}", file=sys.stderr, flush=True)


def _option_like(word: str) -> bool:
    """A word argparse would read as an option (``--rep=boss``), not a value (``-1``)."""
    return word.startswith("-") and not word[1:].isdigit()


def parse(original: str) -> tuple[list[str], list[str]]:
    """``(argv, ignored)``: what to run for ``SSH_ORIGINAL_COMMAND``, as arguments of
    ``legwork`` without any ``--rep`` or ``--db``, and the options dropped for it.
    ``argv`` is empty for the boards, else starts with the command. Raises Refused."""
    try:
        words = shlex.split(original)
    except ValueError as exc:
        raise Refused(f"cannot read the command {original!r}: {exc}") from None
    if words[:1] == ["legwork"]:
        words = words[1:]  # `ssh legwork@crm legwork today`, by habit
    argv: list[str] = []
    ignored: list[str] = []
    command: str | None = None
    options = GLOBAL
    i = 0
    while i < len(words):
        word = words[i]
        name, has_value, value = word.partition("=")
        if name in IGNORED:
            if not has_value:
                i += 1  # its value
            ignored.append(name)
        elif word.startswith("-"):
            if name not in options and name not in GLOBAL:
                where = f"with {command}" if command else "over SSH"
                raise Refused(f"{name} is not allowed {where}: {WHAT_IS_ALLOWED}")
            takes_value = options.get(name, GLOBAL.get(name))
            if takes_value and not has_value:
                if i + 1 >= len(words) or _option_like(words[i + 1]):
                    raise Refused(f"{name} needs a value")
                argv += [word, words[i + 1]]
                i += 1
            elif not takes_value and has_value:
                raise Refused(f"{name} takes no value")
            else:
                argv.append(word)
        elif command is None:
            if word not in ALLOWED:
                raise Refused(f"{word!r} is not allowed: {WHAT_IS_ALLOWED}")
            command = word
            options = ALLOWED[word]
            argv.append(word)
            if word == "export":
                if i + 1 >= len(words) or words[i + 1] != "calendar":
                    raise Refused("only export calendar is allowed over SSH (your open tasks as .ics)")
                argv.append("calendar")
                i += 1
        else:
            raise Refused(f"{word!r} is not allowed after {command}: {WHAT_IS_ALLOWED}")
        i += 1
    return argv, ignored


def run(args, config, *, open_database, run_tui, parse_args, command_module) -> int:
    """The session for ``args.handle`` (``legwork --db DB ssh-session HANDLE``); the
    rest are tui.cli's own: open a database, run the boards, parse a command line,
    import a command's module."""
    from store.reps import find_active_rep
    from store.ssh_keys import HANDLE

    handle = args.handle.strip().lower()
    if not HANDLE.match(handle):
        _say(f"ssh-session: {handle!r} is not a handle")
        return EXIT_REFUSED
    os.environ.pop("LEGWORK_REP", None)  # nothing below may read another identity
    original = os.environ.get("SSH_ORIGINAL_COMMAND", "").strip()
    try:
        argv, ignored = parse(original)
    except Refused as exc:
        _say(str(exc))
        return EXIT_REFUSED
    for name in dict.fromkeys(ignored):
        _say(f"{name} ignored: over SSH you are {handle}, by your key, on the server's database")
    database = open_database(args.db or config.db)
    with database.session() as session:
        rep = find_active_rep(session, handle)
    if rep is None:
        _say(f"{handle} cannot sign in: the database {database.description} has no active rep {handle!r}; "
             "ask a manager")
        return EXIT_REFUSED
    sub = parse_args(argv)
    # Whose queue, numbers or agenda: yours. (parse() lets no --rep through; this holds
    # whatever a command's parser grows.)
    for own_rep in ("queue_rep", "numbers_rep", "standup_rep", "rep", "owner"):
        if getattr(sub, own_rep, None) is not None:
            setattr(sub, own_rep, None)
    if not sub.command:
        import gc

        gc.disable()  # as `legwork` does for start-up; LegworkApp turns it back on
        return run_tui(database, handle, sub, config, fixed_identity=True)
    status = command_module(sub.command).run(sub, database, handle)
    sys.stdout.flush()
    return status
