"""SSH keys that sign reps in (store/ssh_keys.py): reading a public key, the
authorized_keys lines Legwork writes, and who may add or remove them."""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import struct
import subprocess

import pytest
from sqlmodel import select

from store import audit, ssh_keys
from store.errors import Forbidden, InvalidInput, NotFound
from store.models import Rep
from store.reps import create_rep
from store.ssh_keys import add_key, parse_public_key, read_file, remove_keys, rep_keys

PROGRAM = "/opt/legwork/bin/legwork"
DB = "/srv/legwork/team.db"


def key_history(session) -> list:
    """The audit trail's records of SSH keys (setting the team up records its reps too)."""
    return [record for record in audit.history(session) if record.kind.startswith("ssh-key.")]


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519(seed: int = 1, comment: str = "alex@laptop", *, type_in_blob: str = "ssh-ed25519") -> str:
    blob = _string(type_in_blob.encode()) + _string(bytes([seed]) * 32)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}".rstrip()


def rsa(bits: int) -> str:
    modulus = (1 << (bits - 1)) | 1
    blob = _string(b"ssh-rsa") + _string(b"\x01\x00\x01") + _string(b"\x00" + modulus.to_bytes(bits // 8, "big"))
    return f"ssh-rsa {base64.b64encode(blob).decode()} rsa"


def ecdsa() -> str:
    blob = _string(b"ecdsa-sha2-nistp256") + _string(b"nistp256") + _string(b"\x04" + b"\x07" * 64)
    return f"ecdsa-sha2-nistp256 {base64.b64encode(blob).decode()}"


def sk_ed25519() -> str:
    blob = _string(b"sk-ssh-ed25519@openssh.com") + _string(b"\x09" * 32) + _string(b"ssh:")
    return f"sk-ssh-ed25519@openssh.com {base64.b64encode(blob).decode()} yubikey"


@pytest.fixture
def team(session):
    return {
        "alex": create_rep(session, "alex", "Alex Kim"),
        "sam": create_rep(session, "sam", "Sam Ortiz"),
        "boss": create_rep(session, "boss", "Boss Person", role="manager"),
    }


@pytest.fixture
def keys_file(tmp_path):
    return tmp_path / "home" / ".ssh" / "authorized_keys"


def _add(session, by, path, text, handle):
    return add_key(session, by, path, parse_public_key(text), handle, program=PROGRAM, db=DB)


# --- reading a public key ---------------------------------------------------------------


@pytest.mark.parametrize("text, kind", [
    (ed25519(), "ssh-ed25519"), (rsa(3072), "ssh-rsa"), (ecdsa(), "ecdsa-sha2-nistp256"),
    (sk_ed25519(), "sk-ssh-ed25519@openssh.com"), ("\n# my key\n" + ed25519() + "\r\n", "ssh-ed25519"),
])
def test_public_keys_of_every_accepted_type(text, kind):
    assert parse_public_key(text).type == kind


@pytest.mark.parametrize("text, said", [
    ("", "no key there"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----", "that is a private key"),
    ('command="sh" ' + ed25519(), "not a public key"),
    (ed25519() + "\n" + ed25519(2), "2 lines there: add one key at a time"),
    ("ssh-dss AAAAB3NzaC1kc3M= old", "ssh-dss is not accepted"),
    ("ssh-ed25519", "has no data after its type"),
    ("ssh-ed25519 not*base64 x", "not base64"),
    (ed25519(type_in_blob="ssh-rsa"), "the key says ssh-ed25519 but its data holds a ssh-rsa key"),
    ("ssh-ed25519 " + base64.b64encode(_string(b"ssh-ed25519") + _string(b"short")).decode(), "damaged"),
    ("ssh-ed25519 " + base64.b64encode(_string(b"ssh-ed25519") + _string(b"k" * 32) + b"junk").decode(),
     "extra data after the key"),
    (rsa(1024), "an RSA key of 1024 bits is too weak"),
    ("\x1b]0;evil\x07 AAAA", "not a public key: it starts with '␛]0;evil␇'"),
])
def test_what_is_not_a_public_key_is_refused_in_one_line(text, said):
    with pytest.raises(InvalidInput) as refused:
        parse_public_key(text)
    message = str(refused.value)
    assert said in message and "\n" not in message and "\x1b" not in message


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen not installed")
def test_the_fingerprint_is_ssh_keygens(tmp_path):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "c", "-f", str(key)], check=True)
    printed = subprocess.run(["ssh-keygen", "-lf", f"{key}.pub"], capture_output=True, text=True, check=True).stdout
    assert parse_public_key((tmp_path / "k.pub").read_text()).fingerprint == printed.split()[1]


def test_a_hostile_comment_is_kept_shown_not_raw():
    key = parse_public_key(ed25519(comment="x\x1b]0;pwned\x07 \x1b[2J  \u202eevil"))
    assert key.comment == "x␛]0;pwned␇ ␛[2J ⟨RLO⟩evil"


# --- the lines Legwork writes ---------------------------------------------------------------------


def test_the_forced_command_fixes_the_rep_and_quotes_paths():
    line = ssh_keys.key_line(parse_public_key(ed25519()), "/opt/my legwork/legwork", "/srv/team's.db", "alex")
    options, rest = line.split(" ssh-ed25519 ")
    assert options.startswith('restrict,pty,command="')
    command = options[len('restrict,pty,command="'):-1]
    assert shlex.split(command) == ["/opt/my legwork/legwork", "--db", "/srv/team's.db", "ssh-session", "alex"]
    assert rest.endswith(" alex@laptop")


@pytest.mark.parametrize("program, db, handle, said", [
    ("/bin/legwork", 'a".db', "alex", "cannot go in a forced command"),
    ("/bin/legwork", "a\\b.db", "alex", "cannot go in a forced command"),
    ("/bin/legwork", "a\nb.db", "alex", "cannot go in a forced command"),
    ("legwork", "a.db", "alex", "must be an absolute path"),
    ("/bin/legwork", "a.db", "alex; rm -rf ~", "must be lower-case letters"),
])
def test_what_cannot_be_quoted_safely_is_refused(program, db, handle, said):
    with pytest.raises(InvalidInput, match=said):
        ssh_keys.forced_command(program, db, handle)


# --- adding and removing -------------------------------------------------------------------------


def test_a_manager_adds_a_key_and_it_is_recorded(session, team, keys_file):
    line = _add(session, team["boss"].id, keys_file, ed25519(), "alex")
    assert keys_file.read_text() == line + "\n"
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    assert oct(keys_file.parent.stat().st_mode & 0o777) == "0o700"
    [listed] = rep_keys(keys_file)
    assert (listed.handle, listed.type, listed.comment) == ("alex", "ssh-ed25519", "alex@laptop")
    [record] = key_history(session)
    assert (record.actor, record.kind, record.subject) == ("boss", "ssh-key.added", "alex")
    assert record.data["fingerprint"] == listed.fingerprint


def test_a_rep_may_not_add_or_remove_keys(session, team, keys_file):
    with pytest.raises(Forbidden, match="alex cannot add SSH keys: only a manager can"):
        _add(session, team["alex"].id, keys_file, ed25519(), "alex")
    _add(session, team["boss"].id, keys_file, ed25519(), "alex")
    with pytest.raises(Forbidden, match="only a manager can"):
        remove_keys(session, team["sam"].id, keys_file, "alex")
    assert len(rep_keys(keys_file)) == 1


def test_before_any_manager_the_set_up_adds_keys_then_no_longer(session, keys_file):
    create_rep(session, "alex", "Alex Kim")
    _add(session, None, keys_file, ed25519(1), "alex")
    create_rep(session, "boss", "Boss Person", role="manager")
    with pytest.raises(Forbidden, match="only a manager can add SSH keys: sign in as one"):
        _add(session, None, keys_file, ed25519(2), "alex")
    assert [k.handle for k in rep_keys(keys_file)] == ["alex"]


def test_an_unknown_or_deactivated_rep_gets_no_key(session, team, keys_file):
    with pytest.raises(NotFound, match="no rep 'ghost' in this database"):
        _add(session, team["boss"].id, keys_file, ed25519(), "ghost")
    rep = session.exec(select(Rep).where(Rep.handle == "sam")).one()
    rep.active = False
    session.add(rep)
    session.commit()
    with pytest.raises(NotFound, match="sam is deactivated"):
        _add(session, team["boss"].id, keys_file, ed25519(), "sam")
    assert not keys_file.exists()
    assert key_history(session) == []


def test_a_key_already_there_is_refused_even_for_another_rep(session, team, keys_file):
    _add(session, team["boss"].id, keys_file, ed25519(comment="first"), "alex")
    with pytest.raises(InvalidInput, match="already in .*line 1: alex's key"):
        _add(session, team["boss"].id, keys_file, ed25519(comment="other comment"), "sam")
    assert [k.handle for k in rep_keys(keys_file)] == ["alex"]


FOREIGN = (
    "# deploy keys, by hand\n"
    "\n"
    'from="10.0.0.0/8",command="/usr/bin/backup \\"nightly\\"" ' + ed25519(7, "backup") + "\n"
    + ed25519(8, "admin@desk") + "\n"
    "this line is not a key at all\n"
)


def test_lines_that_are_not_legworks_are_kept_exactly(session, team, keys_file):
    keys_file.parent.mkdir(parents=True)
    keys_file.write_text(FOREIGN)
    _add(session, team["boss"].id, keys_file, ed25519(1), "alex")
    _add(session, team["boss"].id, keys_file, ed25519(2), "sam")
    assert keys_file.read_text().startswith(FOREIGN)
    assert [k.handle for k in rep_keys(keys_file)] == ["alex", "sam"]
    remove_keys(session, team["boss"].id, keys_file, "alex")
    remove_keys(session, team["boss"].id, keys_file, "sam")
    assert keys_file.read_text() == FOREIGN


def test_a_key_in_a_foreign_line_is_a_duplicate_too(session, team, keys_file):
    keys_file.parent.mkdir(parents=True)
    keys_file.write_text(FOREIGN)
    with pytest.raises(InvalidInput, match="line 4: a key that is not Legwork's"):
        _add(session, team["boss"].id, keys_file, ed25519(8), "alex")


def test_remove_by_fingerprint_or_handle(session, team, keys_file):
    boss = team["boss"].id
    _add(session, boss, keys_file, ed25519(1), "alex")
    _add(session, boss, keys_file, ed25519(2), "alex")
    _add(session, boss, keys_file, ed25519(3), "sam")
    second = parse_public_key(ed25519(2)).fingerprint
    [gone] = remove_keys(session, boss, keys_file, second)
    assert gone.fingerprint == second
    assert [k.fingerprint for k in rep_keys(keys_file)] == [parse_public_key(ed25519(n)).fingerprint for n in (1, 3)]
    assert [g.handle for g in remove_keys(session, boss, keys_file, "ALEX")] == ["alex"]
    assert [k.handle for k in rep_keys(keys_file)] == ["sam"]
    with pytest.raises(NotFound, match="no Legwork key for 'alex'"):
        remove_keys(session, boss, keys_file, "alex")
    assert [r.kind for r in key_history(session)] == ["ssh-key.removed"] * 2 + ["ssh-key.added"] * 3


def test_a_rewrite_is_atomic(session, team, keys_file, monkeypatch):
    _add(session, team["boss"].id, keys_file, ed25519(1), "alex")
    before = keys_file.read_bytes()
    inode = keys_file.stat().st_ino

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ssh_keys.os, "fsync", disk_full)
    with pytest.raises(OSError):
        _add(session, team["boss"].id, keys_file, ed25519(2), "sam")
    monkeypatch.undo()
    # The file as it was (same inode, same bytes), no temporary file left, nothing recorded.
    assert keys_file.read_bytes() == before and keys_file.stat().st_ino == inode
    assert os.listdir(keys_file.parent) == ["authorized_keys"]
    assert [r.subject for r in key_history(session)] == ["alex"]
    _add(session, team["boss"].id, keys_file, ed25519(2), "sam")
    assert keys_file.stat().st_ino != inode  # replaced by a rename, never written in place
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"


def test_a_symlinked_file_stays_a_link(session, team, tmp_path, keys_file):
    real = tmp_path / "real_keys"
    real.write_text(FOREIGN)
    keys_file.parent.mkdir(parents=True)
    keys_file.symlink_to(real)
    _add(session, team["boss"].id, keys_file, ed25519(1), "alex")
    assert keys_file.is_symlink() and real.read_text().startswith(FOREIGN)
    assert len(read_file(keys_file)) == FOREIGN.count("\n") + 1


def test_writers_at_once_lose_no_line(db, team, keys_file):
    import threading

    boss = team["boss"].id
    errors: list[BaseException] = []

    def add(seed: int) -> None:
        try:
            with db.session() as session:
                _add(session, boss, keys_file, ed25519(seed, f"key{seed}"), "alex")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(seed,)) for seed in range(10, 16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(k.comment for k in rep_keys(keys_file)) == [f"key{seed}" for seed in range(10, 16)]
