"""``legwork keys add|remove|list``: the SSH keys that sign reps in (store/ssh_keys.py).

Run on the team server as its system account (``sudo -u legwork legwork keys add alex
alex.pub``): each key becomes a line of that account's ``authorized_keys`` whose forced
command is ``legwork --db … ssh-session alex``, with the program and database of this
very invocation. Adding and removing are a manager's (``--rep``), or anyone's while the
database has no manager yet (the first set-up). Exit status: 0 done, 1 refused (a bad
key, a duplicate, an unknown rep, not a manager), 2 the file cannot be read or written.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from tui.commands.output import out_json, say, visible, write_lines

EXIT_REFUSED = 1
EXIT_UNWRITABLE = 2


def add_arguments(parser) -> None:
    parser.epilog = (
        "Examples: legwork keys add alex alex.pub · cat alex.pub | legwork keys add alex - · "
        "legwork keys remove SHA256:… · legwork keys list --json"
    )
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="let HANDLE sign in with the public key in KEYFILE ('-': standard input)")
    add.add_argument("handle", metavar="HANDLE")
    add.add_argument("keyfile", metavar="KEYFILE", help="the .pub file, or - to read it from standard input")
    add.add_argument("--legwork", metavar="PATH",
                     help="the legwork program the key runs (default: this one)")
    remove = actions.add_parser("remove", help="remove HANDLE's keys, or the key with FINGERPRINT (SHA256:…)")
    remove.add_argument("which", metavar="HANDLE|FINGERPRINT")
    listing = actions.add_parser("list", help="the reps' keys: handle, type, fingerprint, comment")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    for sub in (add, remove, listing):
        sub.add_argument("--authorized-keys", metavar="PATH", dest="authorized_keys",
                         help="the authorized_keys file (default: ~/.ssh/authorized_keys of whoever runs this)")


def _file(args) -> Path:
    if args.authorized_keys:
        return Path(os.path.abspath(os.path.expanduser(args.authorized_keys)))
    # The account's own home, not $HOME: `runuser -u legwork` and `sudo -u legwork` keep root's.
    import pwd

    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / ".ssh" / "authorized_keys"


def run(args, database, handle: str) -> int:
    from store.errors import StoreError

    path = _file(args)
    try:
        if args.keys_action == "list":
            return _list(args, path)
        if args.keys_action == "add":
            return _add(args, database, handle, path)
        return _remove(args, database, handle, path)
    except StoreError as exc:
        say(str(exc))
        return EXIT_REFUSED
    except OSError as exc:
        say(f"cannot write {path}: {exc.strerror or exc}")
        return EXIT_UNWRITABLE


def _acting(session, handle: str) -> int | None:
    """The signed-in rep's id; None when the database does not know them (the set-up)."""
    from store.reps import find_rep

    rep = find_rep(session, handle)
    return rep.id if rep is not None else None


def _add(args, database, handle: str, path: Path) -> int:
    from store.ssh_keys import add_key, parse_public_key

    try:
        text = _read_key(args.keyfile)
    except OSError as exc:
        say(f"cannot read {args.keyfile}: {exc.strerror or exc}")
        return EXIT_UNWRITABLE
    key = parse_public_key(text)
    program = _program(args.legwork)
    if program is None:
        say("cannot tell where the legwork program is: give its absolute path with --legwork PATH")
        return EXIT_REFUSED
    with database.session() as session:
        add_key(session, _acting(session, handle), path, key, args.handle, program=program,
                db=_database_for_command(database.url))
    comment = f" ({key.comment})" if key.comment else ""
    write_lines([f"legwork: {args.handle.strip().lower()} signs in with {key.type} {key.fingerprint}{comment}: "
                 f"added to {path}"])
    return 0


def _read_key(keyfile: str) -> str:
    if keyfile == "-":
        return sys.stdin.read(64 * 1024)
    with open(keyfile, encoding="utf-8", errors="replace") as handle:
        return handle.read(64 * 1024)


def _remove(args, database, handle: str, path: Path) -> int:
    from store.ssh_keys import remove_keys

    with database.session() as session:
        gone = remove_keys(session, _acting(session, handle), path, args.which)
    write_lines([f"legwork: removed {key.handle}'s {key.type} {key.fingerprint} from {path}" for key in gone])
    return 0


def _list(args, path: Path) -> int:
    from store.ssh_keys import rep_keys

    keys = rep_keys(path)
    if args.json:
        out_json({"file": str(path), "keys": [
            {"handle": k.handle, "type": k.type, "fingerprint": k.fingerprint, "comment": k.comment, "line": k.line}
            for k in keys
        ]})
        return 0
    if not keys:
        write_lines([f"no Legwork keys in {path}"])
        return 0
    width = max(len(k.handle) for k in keys)
    type_width = max(len(k.type) for k in keys)
    write_lines([f"{k.handle:<{width}}  {k.type:<{type_width}}  {k.fingerprint}  {visible(k.comment)}".rstrip()
                 for k in keys])
    return 0


def _program(given: str | None) -> str | None:
    """The absolute path of the ``legwork`` program a key's forced command runs."""
    if given:
        return os.path.abspath(os.path.expanduser(given))
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).startswith("legwork") and os.access(argv0, os.X_OK):
        return os.path.abspath(argv0)
    found = shutil.which("legwork")
    return os.path.abspath(found) if found else None


def _database_for_command(url: str) -> str:
    """This invocation's database, as the forced command names it: a SQLite file by its
    absolute path (sshd starts the command in the account's home), a server by its URL."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and "?" not in url:
        return os.path.abspath(os.path.expanduser(url[len(prefix):]))
    return url
