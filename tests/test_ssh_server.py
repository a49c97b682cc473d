"""Legwork as a team server over SSH, end to end, with the real OpenSSH.

A throwaway ``sshd`` on 127.0.0.1 (its own config, host key, pid file and log, all in
tmp_path; never the machine's sshd, port 22 or /root/.ssh) reads an authorized_keys
file that ``legwork keys add`` wrote. Then ``ssh`` with one key reaches the board as
one rep, with another key as another; ``--rep boss``, ``LEGWORK_REP=boss`` and a
config file saying ``rep = "boss"`` change nothing; ``ssh … today`` prints the key's
rep's queue; ``import`` and a shell command are refused.

The server's config is the README's "Running Legwork for a team over SSH" snippet
(``Match User`` with ``AuthorizedKeysFile``, ``PermitTTY yes``, ``DisableForwarding
yes``) for the user this test runs as: CI is root, so ``PermitRootLogin
forced-commands-only`` lets root in with a forced command and nothing else.

Skipped when sshd or ssh is not installed; .ci/run installs them and fails if this
was skipped.
"""

from __future__ import annotations

import fcntl
import os
import pty
import pwd
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None)
SSH = shutil.which("ssh")
SSH_KEYGEN = shutil.which("ssh-keygen")
SKIP_REASON = "OpenSSH not installed (sshd, ssh or ssh-keygen missing)"

pytestmark = pytest.mark.skipif(not (SSHD and SSH and SSH_KEYGEN), reason=SKIP_REASON)

TIMEOUT = 90  # seconds for one screen or command; a loaded CI machine is slow, a hang is a failure
ANSI = re.compile(r"\x1b(\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|[=>78DEHMNOPZc])")


def readme_snippet(user: str, authorized_keys: Path) -> list[str]:
    """The README's sshd ``Match`` block, for this test's user and keys file."""
    readme = (REPO / "README.md").read_text()
    block = readme.split("Match User legwork\n", 1)[1].split("\nEOF\n", 1)[0]
    assert "AuthorizedKeysFile /srv/legwork/.ssh/authorized_keys" in block
    block = block.replace("/srv/legwork/.ssh/authorized_keys", str(authorized_keys))
    return [f"Match User {user}", *block.splitlines()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _keygen(path: Path, comment: str) -> Path:
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)], check=True)
    return path


class Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.user = pwd.getpwuid(os.geteuid()).pw_name  # not $USER: CI's may say anything
        self.port = _free_port()
        self.db = root / "team.db"
        self.authorized_keys = root / "home" / ".ssh" / "authorized_keys"
        self.known_hosts = root / "known_hosts"
        self.config = root / "config.toml"  # the client's LEGWORK_CONFIG: rep = "boss"
        self.program = root / "bin" / "legwork"
        self.process: subprocess.Popen | None = None

    # --- the legwork program the keys run: this checkout's code, whatever is installed ---

    def write_program(self) -> None:
        self.program.parent.mkdir()
        self.program.write_text(
            f"#!{sys.executable}\n"
            "import sys\n"
            f"sys.path.insert(0, {str(REPO)!r})\n"
            "from tui.cli import main\n"
            "sys.exit(main())\n"
        )
        self.program.chmod(0o755)

    def legwork(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "LEGWORK_CONFIG": str(self.root / "admin-config.toml")}
        env.pop("LEGWORK_REP", None)
        return subprocess.run([str(self.program), "--db", str(self.db), *argv], input=stdin, text=True,
                              capture_output=True, env=env, timeout=TIMEOUT)

    # --- sshd ---

    def start(self) -> None:
        host_key = _keygen(self.root / "host_ed25519", "legwork-test-host")
        sshd_config = self.root / "sshd_config"
        lines = [
            f"Port {self.port}",
            "ListenAddress 127.0.0.1",
            f"HostKey {host_key}",
            f"PidFile {self.root / 'sshd.pid'}",
            "AuthorizedKeysFile none",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "UsePAM no",
            "StrictModes no",  # tmp_path sits under /tmp, which is world-writable
            "PermitUserEnvironment no",
            "AcceptEnv LEGWORK_*",  # so LEGWORK_REP and LEGWORK_CONFIG do reach the session
            "LogLevel VERBOSE",
            "Subsystem sftp internal-sftp",  # as a stock sshd_config has it: the key's command must win
        ]
        if os.geteuid() == 0:
            lines.append("PermitRootLogin forced-commands-only")
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation directory
        lines += readme_snippet(self.user, self.authorized_keys)
        sshd_config.write_text("\n".join(lines) + "\n")
        check = subprocess.run([SSHD, "-t", "-f", str(sshd_config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.log = self.root / "sshd.log"
        self.process = subprocess.Popen([SSHD, "-D", "-f", str(sshd_config), "-E", str(self.log)],
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"sshd stopped: {self.log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"sshd did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    # --- clients ---

    def ssh_argv(self, key: Path, *options: str) -> list[str]:
        return [
            SSH, "-F", "none", "-i", str(key), "-p", str(self.port),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no",
            "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={self.known_hosts}",
            "-o", f"GlobalKnownHostsFile={self.known_hosts}", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=30",
            "-o", f"SetEnv=LEGWORK_CONFIG={self.config}",
            *options, f"{self.user}@127.0.0.1",
        ]

    def run(self, key: Path, *remote: str, options: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        argv = self.ssh_argv(key, *options) + (["--", *remote] if remote else [])
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)

    def board(self, key: Path, *remote: str, options: tuple[str, ...] = (), expect: str) -> tuple[str, int]:
        """Open the boards over ``ssh -tt`` in a pseudo-terminal, wait until ``expect`` is on
        screen, press q; returns what the screen showed (escape sequences taken out) and
        ssh's exit status."""
        argv = self.ssh_argv(key, "-tt", *options) + (["--", *remote] if remote else [])
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color"}
        process = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env,
                                   start_new_session=True)
        os.close(follower)
        raw = b""
        try:
            deadline = time.monotonic() + TIMEOUT
            while expect not in _screen(raw):
                assert time.monotonic() < deadline, f"{expect!r} never showed; the screen: {_screen(raw)[-2000:]!r}"
                raw += _read(leader, 0.5)
            # The app takes keys a moment after its first screen is up: press q again
            # until it quits rather than guess how long that moment is.
            pressed = 0.0
            while process.poll() is None:
                assert time.monotonic() < deadline, f"q did not quit; the screen: {_screen(raw)[-2000:]!r}"
                if time.monotonic() - pressed > 1.0:
                    os.write(leader, b"q")
                    pressed = time.monotonic()
                raw += _read(leader, 0.2)
            raw += _read(leader, 0.2)
            return _screen(raw), process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(leader)


def _read(fd: int, wait: float) -> bytes:
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed (ssh exited)
        return b""


def _screen(raw: bytes) -> str:
    return ANSI.sub("", raw.decode("utf-8", errors="replace"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from store.db import open_database
    from store.reps import create_rep

    root = tmp_path_factory.mktemp("ssh")
    root.chmod(0o755)
    server = Server(root)
    server.write_program()
    database = open_database(str(server.db))
    with database.session() as session:
        create_rep(session, "alex", "Alex Kim")
        create_rep(session, "sam", "Sam Ortiz")
        create_rep(session, "boss", "Boss Person", role="manager")
    database.dispose()
    server.config.write_text('rep = "boss"\n')
    server.alex_key = _keygen(root / "alex_key", "alex@laptop")
    server.sam_key = _keygen(root / "sam_key", "sam@laptop")
    server.stranger_key = _keygen(root / "stranger_key", "stranger")
    # As the README sets a server up: a manager adds the keys, one from a file, one from stdin.
    added = server.legwork("--rep", "boss", "keys", "add", "alex", str(server.alex_key) + ".pub",
                           "--authorized-keys", str(server.authorized_keys))
    assert added.returncode == 0, added.stderr
    added = server.legwork("--rep", "boss", "keys", "add", "sam", "-", "--authorized-keys",
                           str(server.authorized_keys), stdin=(root / "sam_key.pub").read_text())
    assert added.returncode == 0, added.stderr
    server.start()
    yield server
    server.stop()


def test_the_keys_file_holds_one_forced_command_per_key(server):
    lines = server.authorized_keys.read_text().splitlines()
    assert len(lines) == 2
    for line, handle in zip(lines, ("alex", "sam")):
        assert line.startswith(f'restrict,pty,command="{server.program} --db {server.db} ssh-session {handle}" ssh-ed25519 ')
    assert oct(server.authorized_keys.stat().st_mode & 0o777) == "0o600"
    assert oct(server.authorized_keys.parent.stat().st_mode & 0o777) == "0o700"


def test_a_key_opens_the_board_as_its_rep(server):
    screen, status = server.board(server.alex_key, expect="Alex Kim")
    assert status == 0
    assert "Boss Person" not in screen  # the config file's rep = "boss" changed nothing


def test_a_second_key_is_a_second_rep(server):
    screen, status = server.board(server.sam_key, expect="Sam Ortiz")
    assert status == 0
    assert "Alex Kim" not in screen and "Boss Person" not in screen


def test_rep_on_the_ssh_command_line_changes_nothing(server):
    screen, status = server.board(server.alex_key, "--rep", "boss", expect="Alex Kim")
    assert status == 0
    assert "--rep ignored: over SSH you are alex" in screen
    assert "Boss Person" not in screen


def test_legwork_rep_in_the_environment_changes_nothing(server):
    screen, status = server.board(server.alex_key, options=("-o", "SetEnv=LEGWORK_REP=boss"), expect="Alex Kim")
    assert status == 0
    assert "Boss Person" not in screen


def test_today_prints_the_keys_reps_queue(server):
    done = server.run(server.sam_key, "today", options=("-o", "SetEnv=LEGWORK_REP=boss"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Sam Ortiz · ")
    done = server.run(server.alex_key, "today", "--rep", "boss", "--json")
    assert done.returncode == 0, done.stderr
    assert '"rep": "alex"' in done.stdout and "boss" not in done.stdout
    assert done.stderr.strip() == "legwork: --rep ignored: over SSH you are alex, by your key, on the server's database"


@pytest.mark.parametrize("remote, said", [
    (("import", "deals.csv"), "'import' is not allowed"),
    (("keys", "list"), "'keys' is not allowed"),
    (("sh", "-c", "id"), "'sh' is not allowed"),
    (("export", "deals"), "only export calendar is allowed"),
])
def test_anything_else_is_refused(server, remote, said):
    done = server.run(server.alex_key, *remote)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and said in done.stderr


def test_a_key_not_in_the_file_gets_nothing(server):
    done = server.run(server.stranger_key, "today")
    assert done.returncode == 255  # ssh's own: authentication refused
    assert "Permission denied" in done.stderr


def test_a_removed_key_no_longer_signs_in(server, tmp_path):
    key = _keygen(tmp_path / "gone", "gone")
    added = server.legwork("--rep", "boss", "keys", "add", "sam", str(key) + ".pub",
                           "--authorized-keys", str(server.authorized_keys))
    assert added.returncode == 0, added.stderr
    assert server.run(key, "today").stdout.startswith("Sam Ortiz · ")
    fingerprint = added.stdout.split(" with ssh-ed25519 ")[1].split()[0]
    removed = server.legwork("--rep", "boss", "keys", "remove", fingerprint, "--authorized-keys",
                             str(server.authorized_keys))
    assert removed.returncode == 0, removed.stderr
    assert server.run(key, "today").returncode == 255
    assert server.run(server.sam_key, "today").stdout.startswith("Sam Ortiz · ")  # sam's other key stays


def test_a_subsystem_such_as_sftp_is_refused(server):
    # sshd runs the key's forced command for a subsystem request too, with the subsystem's
    # command (internal-sftp) as the one asked for; it drops a subsystem's stderr.
    done = server.run(server.alex_key, "sftp", options=("-s",))
    assert (done.returncode, done.stdout) == (1, "")
