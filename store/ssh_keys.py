"""SSH keys that sign reps in: one ``authorized_keys`` line per key, as git hosting
servers and dokku's sshcommand do it.

A team server has one system account (``legwork``); each rep's public key is a line
of that account's ``authorized_keys`` whose forced command fixes the rep::

    restrict,pty,command="/usr/local/bin/legwork --db /srv/legwork/team.db ssh-session alex" ssh-ed25519 AAAA… alex@laptop

OpenSSH does the SSH (authentication, the pty, the channel); the key decides who is
signed in, and nothing the client sends (``--rep``, ``LEGWORK_REP``) changes that
(tui/ssh_session.py).

Lines that are not Legwork's (an administrator's own key, a deploy key) are kept
exactly as they are. A rewrite is a temporary file beside the real one, flushed to
disk and renamed over it (0600), under a lock on the directory, so sshd never reads a
half-written file and two ``legwork keys add`` at once lose nothing.

Past 400 lines on purpose: what decides who signs in (the key's validation, its
fingerprint, the forced command and the atomic rewrite) is read and reviewed as one unit.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import os
import re
import shlex
import stat
import struct
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlmodel import Session, select

from store import audit
from store.errors import InvalidInput, NotFound
from store.models import Rep
from store.permissions import require_manager
from store.safe_text import visible
from store.tx import write

SESSION_COMMAND = "ssh-session"
OPTIONS = "restrict,pty"
HANDLE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_KEY_TEXT = 16 * 1024  # an RSA 16384-bit key's line is under 3 kB
MAX_COMMENT = 100
MIN_RSA_BITS = 2048

# An ECDSA key type -> the curve its blob names after the type (as OpenSSH's sshkey.c reads it).
ECDSA_CURVES = {"ecdsa-sha2-nistp256": "nistp256", "ecdsa-sha2-nistp384": "nistp384", "ecdsa-sha2-nistp521": "nistp521"}
SK_ECDSA = "sk-ecdsa-sha2-nistp256@openssh.com"
SK_ED25519 = "sk-ssh-ed25519@openssh.com"
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", *ECDSA_CURVES, SK_ED25519, SK_ECDSA)
# Any word OpenSSH would take for a key type: how a line without options is told apart.
_ANY_KEY_TYPE = re.compile(r"^(ssh-|ecdsa-|sk-)[A-Za-z0-9@._-]+$")


@dataclass(frozen=True)
class PublicKey:
    type: str
    blob: bytes
    comment: str

    @property
    def base64(self) -> str:
        return base64.b64encode(self.blob).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.blob)


@dataclass(frozen=True)
class KeyLine:
    """One line of an ``authorized_keys`` file, as far as Legwork reads it."""

    number: int  # 1-based, in the file as read
    text: str  # the line as it is in the file, without its newline
    key: PublicKey | None  # None: a comment, a blank line, or a line we cannot read
    handle: str | None  # the rep its forced command signs in; None: not Legwork's


@dataclass(frozen=True)
class RepKey:
    """A rep's key, for ``legwork keys list``: every field as it may be shown."""

    handle: str
    type: str
    fingerprint: str
    comment: str
    line: int


def fingerprint(blob: bytes) -> str:
    """``SHA256:…`` as ``ssh-keygen -lf`` prints it (unpadded base64 of the blob's SHA-256)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


# --- reading a public key -------------------------------------------------------------------


class _Blob:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def string(self) -> bytes:
        if self.at + 4 > len(self.data):
            raise ValueError("cut short")
        (size,) = struct.unpack(">I", self.data[self.at:self.at + 4])
        self.at += 4
        if size > len(self.data) - self.at:
            raise ValueError("cut short")
        value = self.data[self.at:self.at + size]
        self.at += size
        return value

    def done(self) -> bool:
        return self.at == len(self.data)


def _check_blob(key_type: str, blob: bytes) -> None:
    """Refuse a blob that is not a key of ``key_type`` (InvalidInput, one line)."""
    reader = _Blob(blob)
    try:
        embedded = reader.string().decode("ascii", errors="replace")
        if embedded != key_type:
            raise InvalidInput(f"the key says {key_type} but its data holds a {visible(embedded[:40])} key")
        if key_type in ("ssh-ed25519", SK_ED25519):
            if len(reader.string()) != 32:
                raise ValueError("an Ed25519 key is 32 bytes")
        elif key_type == "ssh-rsa":
            exponent, modulus = reader.string(), reader.string()
            if not exponent or not modulus:
                raise ValueError("empty RSA numbers")
            bits = int.from_bytes(modulus, "big").bit_length()
            if bits < MIN_RSA_BITS:
                raise InvalidInput(f"an RSA key of {bits} bits is too weak: use {MIN_RSA_BITS} bits or more, or ssh-ed25519")
        else:  # ECDSA, plain or security key
            curve = ECDSA_CURVES.get(key_type, "nistp256")
            if reader.string() != curve.encode():
                raise ValueError("the curve does not match the type")
            if not reader.string():
                raise ValueError("no public point")
        if key_type.startswith("sk-") and not reader.string():
            raise ValueError("no application")
        if not reader.done():
            raise ValueError("extra data after the key")
    except ValueError as exc:
        raise InvalidInput(f"the {key_type} key's data is damaged ({exc})") from None


def parse_public_key(text: str) -> PublicKey:
    """The one public key in ``text`` (a ``.pub`` file): ``TYPE BASE64 [COMMENT]``.

    Raises InvalidInput with one line: a private key, options in front, several keys,
    an unknown type, base64 that does not decode, data that is not a key of its type.
    """
    if len(text) > MAX_KEY_TEXT:
        raise InvalidInput(f"that is {len(text):,} characters: a public key is one short line (the .pub file)")
    if "PRIVATE KEY" in text:
        raise InvalidInput("that is a private key: give the public one (the .pub file), and keep the private key to yourself")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not lines:
        raise InvalidInput("no key there: give a public key (the .pub file, e.g. ~/.ssh/id_ed25519.pub)")
    if len(lines) > 1:
        raise InvalidInput(f"{len(lines)} lines there: add one key at a time")
    fields = lines[0].split(None, 2)
    key_type = fields[0]
    if key_type not in KEY_TYPES:
        if not _ANY_KEY_TYPE.match(key_type):
            raise InvalidInput(
                f"not a public key: it starts with {visible(key_type[:40])!r}, not a key type "
                f"({', '.join(KEY_TYPES[:3])}, …); give the .pub file without any options in front"
            )
        raise InvalidInput(f"key type {visible(key_type[:60])} is not accepted: use one of {', '.join(KEY_TYPES)}")
    if len(fields) < 2:
        raise InvalidInput(f"the {key_type} key has no data after its type")
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"the {key_type} key's data is not base64") from None
    _check_blob(key_type, blob)
    return PublicKey(key_type, blob, _clean_comment(fields[2] if len(fields) > 2 else ""))


def _clean_comment(comment: str) -> str:
    """A comment fit for the file and a terminal: one line, no control characters, short."""
    return " ".join(visible(comment).split())[:MAX_COMMENT]


# --- reading authorized_keys -------------------------------------------------------------------


def _split_options(line: str) -> tuple[str, str]:
    """(options, rest) of an ``authorized_keys`` line: options end at the first blank
    outside double quotes (where ``\\"`` is a quote inside), as sshd reads them."""
    quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and quoted and line[i + 1:i + 2] == '"':
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char in " \t" and not quoted:
            return line[:i], line[i:].strip()
        i += 1
    return line, ""


def _option_value(options: str, name: str) -> str | None:
    match = re.search(rf'(?:^|,){name}="((?:[^"\\]|\\.)*)"', options, re.IGNORECASE)
    if match is None:
        return None
    return match.group(1).replace('\\"', '"')


def _legwork_handle(options: str) -> str | None:
    """The rep a line's forced command signs in, when it is Legwork's ``ssh-session``."""
    command = _option_value(options, "command")
    if command is None:
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) >= 2 and words[-2] == SESSION_COMMAND and HANDLE.match(words[-1]):
        return words[-1]
    return None


def read_line(number: int, text: str) -> KeyLine:
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return KeyLine(number, text, None, None)
    first = stripped.split(None, 1)[0]
    options, rest = ("", stripped) if _ANY_KEY_TYPE.match(first) else _split_options(stripped)
    fields = rest.split(None, 2)
    if len(fields) < 2:
        return KeyLine(number, text, None, None)
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        return KeyLine(number, text, None, None)
    key = PublicKey(fields[0], blob, fields[2] if len(fields) > 2 else "")
    return KeyLine(number, text, key, _legwork_handle(options))


def read_file(path: Path) -> list[KeyLine]:
    """The file's lines (none when it does not exist yet)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    text = data.decode("utf-8", errors="surrogateescape")
    rows = text.split("\n")
    if rows[-1] == "":
        rows.pop()  # the last line's newline ends it; blank lines in between are kept
    return [read_line(n, line) for n, line in enumerate(rows, start=1)]


def rep_keys(path: Path) -> list[RepKey]:
    """Legwork's keys in the file, in file order, their text made safe to show."""
    return [
        RepKey(line.handle, visible(line.key.type), line.key.fingerprint, _clean_comment(line.key.comment), line.number)
        for line in read_file(path)
        if line.key is not None and line.handle is not None
    ]


# --- writing authorized_keys ---------------------------------------------------------------------


def _quotable(value: str, what: str) -> str:
    """``value`` in the forced command: shell-quoted; a ``"`` or ``\\`` (sshd's own quoting)
    or a control character is refused rather than escaped twice."""
    if not value or any(ord(c) < 0x20 or c in '"\\\x7f' for c in value):
        raise InvalidInput(f"{what} {visible(value)!r} cannot go in a forced command: it holds a quote, a backslash or a control character")
    return shlex.quote(value)


def forced_command(program: str, db: str, handle: str) -> str:
    if not HANDLE.match(handle):
        raise InvalidInput(f"handle {visible(handle)!r} must be lower-case letters, digits, '.', '_' or '-'")
    if not os.path.isabs(program):
        raise InvalidInput(f"the legwork program {visible(program)!r} must be an absolute path")
    return f"{_quotable(program, 'the legwork program')} --db {_quotable(db, 'the database')} {SESSION_COMMAND} {handle}"


def key_line(key: PublicKey, program: str, db: str, handle: str) -> str:
    command = forced_command(program, db, handle)
    comment = f" {key.comment}" if key.comment else ""
    return f'{OPTIONS},command="{command}" {key.type} {key.base64}{comment}'


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time: a lock on the directory itself (no lock file left behind)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _prepare_directory(path: Path) -> None:
    directory = path.parent
    if not directory.exists():
        try:
            directory.mkdir(mode=0o700, parents=True)
        except FileExistsError:  # another writer made it a moment ago
            return
        os.chmod(directory, 0o700)  # whatever the umask took away or let through
        if os.geteuid() == 0:  # root setting up an account's keys: the account's, as its home is
            home = directory.parent.stat()
            os.chown(directory, home.st_uid, home.st_gid)


def _replace(path: Path, lines: list[str]) -> None:
    """Write ``lines`` to ``path`` atomically: a temporary file in the same directory,
    fsync, rename over the old one, fsync the directory. 0600, and (run as root) the
    owner the file or its directory had, so sshd's StrictModes stays content."""
    target = Path(os.path.realpath(path))  # a symlinked authorized_keys stays a link
    try:
        owner = target.stat()
    except FileNotFoundError:
        owner = target.parent.stat()
    fd, temporary = tempfile.mkstemp(prefix=".authorized_keys.", dir=target.parent)
    try:
        os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        if os.geteuid() == 0:
            os.fchown(fd, owner.st_uid, owner.st_gid)
        with os.fdopen(fd, "wb") as handle:
            handle.write("".join(f"{line}\n" for line in lines).encode("utf-8", errors="surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- the changes, checked and recorded -------------------------------------------------------------


def _active_rep(session: Session, handle: str) -> Rep:
    rep = session.exec(select(Rep).where(Rep.handle == handle)).first()
    if rep is None:
        raise NotFound(f"no rep {visible(handle)!r} in this database: add the rep first")
    if not rep.active:
        raise NotFound(f"{visible(handle)} is deactivated: a key would sign in no one")
    return rep


def add_key(session: Session, by: int | None, path: Path, key: PublicKey, handle: str, *, program: str, db: str) -> str:
    """Add ``key`` for ``handle`` to the file at ``path``; returns the line written.

    A manager's (or the set-up's, before any manager exists); recorded in the audit
    trail. Refused: an unknown or deactivated rep, a key already in the file (for
    anyone, in any line), a program or database that cannot be quoted safely.
    """
    handle = handle.strip().lower()
    line = key_line(key, program, db, handle)
    with write(session):
        require_manager(session, by, "add SSH keys")
        _active_rep(session, handle)
        _prepare_directory(path)
        with _locked(path.parent):
            lines = read_file(path)
            for old in lines:
                if old.key is not None and old.key.blob == key.blob:
                    whose = f"{old.handle}'s key" if old.handle else "a key that is not Legwork's"
                    raise InvalidInput(f"that key ({key.fingerprint}) is already in {path}, line {old.number}: {whose}")
            audit.record(session, by, "ssh-key.added", handle, fingerprint=key.fingerprint, type=key.type,
                         file=str(path))
            session.flush()
            _replace(path, [old.text for old in lines] + [line])
    return line


def remove_keys(session: Session, by: int | None, path: Path, which: str) -> list[RepKey]:
    """Remove Legwork's lines for a handle, or the one with a fingerprint (``SHA256:…``).
    Other lines stay as they are. Returns what was removed; NotFound when nothing matched."""
    which = which.strip()
    by_fingerprint = which.startswith("SHA256:")
    if not by_fingerprint:
        which = which.lower()
    with write(session):
        require_manager(session, by, "remove SSH keys")
        with _locked(path.parent) if path.parent.exists() else _nothing():
            lines = read_file(path)
            gone = [
                line for line in lines
                if line.key is not None and line.handle is not None
                and (line.key.fingerprint == which if by_fingerprint else line.handle == which)
            ]
            if not gone:
                raise NotFound(f"no Legwork key {'with fingerprint' if by_fingerprint else 'for'} {visible(which)!r} in {path}")
            for line in gone:
                audit.record(session, by, "ssh-key.removed", line.handle, fingerprint=line.key.fingerprint,
                             type=line.key.type, file=str(path))
            session.flush()
            numbers = {line.number for line in gone}
            _replace(path, [line.text for line in lines if line.number not in numbers])
    return [RepKey(g.handle, visible(g.key.type), g.key.fingerprint, _clean_comment(g.key.comment), g.number) for g in gone]


@contextmanager
def _nothing() -> Iterator[None]:
    yield
