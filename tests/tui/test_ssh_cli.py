"""``legwork keys add|remove|list`` and ``legwork ssh-session HANDLE`` from the command
line (the real sshd is in tests/test_ssh_server.py)."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select

from store.models import Rep
from store.reps import create_rep
from tests.store.test_ssh_keys import ed25519
from tui import ssh_session
from tui.app import LegworkApp
from tui.cli import _parser, main


@pytest.fixture
def team(sqlite_db, tmp_path, monkeypatch):
    # The config file, LEGWORK_REP and --rep all say boss: ssh-session must not care.
    config = tmp_path / "config.toml"
    config.write_text('rep = "boss"\n')
    monkeypatch.setenv("LEGWORK_CONFIG", str(config))
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND", raising=False)
    with sqlite_db.session() as session:
        create_rep(session, "alex", "Alex Kim")
        create_rep(session, "sam", "Sam Ortiz")
        create_rep(session, "boss", "Boss Person", role="manager")
    return sqlite_db


@pytest.fixture
def keys_file(tmp_path):
    return tmp_path / "ssh" / "authorized_keys"


@pytest.fixture
def legwork(team, capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        status = main(["--db", team.url, *argv])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def keys(legwork, keys_file, tmp_path):
    def run(action: str, *argv: str, rep: str = "boss") -> tuple[int, str, str]:
        return legwork("--rep", rep, "keys", action, *argv, "--authorized-keys", str(keys_file))

    return run


def _pub(tmp_path, text: str, name: str = "key.pub"):
    path = tmp_path / name
    path.write_text(text + "\n")
    return str(path)


def test_add_list_remove(keys, keys_file, tmp_path, team):
    status, out, err = keys("add", "alex", _pub(tmp_path, ed25519(1)), "--legwork", "/opt/legwork/bin/legwork")
    assert (status, err) == (0, "")
    assert out.startswith("legwork: alex signs in with ssh-ed25519 SHA256:") and "(alex@laptop)" in out
    line = keys_file.read_text()
    db_path = team.url.removeprefix("sqlite:///")
    assert line.startswith(f'restrict,pty,command="/opt/legwork/bin/legwork --db {db_path} ssh-session alex" ')

    status, out, err = keys("list", "--json")
    [listed] = json.loads(out)["keys"]
    assert (status, listed["handle"], listed["type"]) == (0, "alex", "ssh-ed25519")
    status, out, _ = keys("list")
    assert out.startswith("alex  ssh-ed25519  SHA256:") and out.rstrip().endswith("alex@laptop")

    status, out, err = keys("remove", listed["fingerprint"])
    assert (status, err) == (0, "") and "removed alex's ssh-ed25519" in out
    assert keys_file.read_text() == ""
    assert keys("list")[1].startswith("no Legwork keys in ")


def test_add_from_standard_input(keys, keys_file, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(ed25519(2, "from-stdin")))
    status, out, err = keys("add", "sam", "-", "--legwork", "/usr/local/bin/legwork")
    assert (status, err) == (0, "")
    assert "ssh-session sam" in keys_file.read_text() and "from-stdin" in keys_file.read_text()


@pytest.mark.parametrize("handle, text, rep, said", [
    ("ghost", ed25519(), "boss", "no rep 'ghost' in this database"),
    ("alex", "ssh-ed25519 ???", "boss", "not base64"),
    ("alex", ed25519(), "alex", "alex cannot add SSH keys: only a manager can"),
    ("alex", ed25519(), "nobody", "only a manager can add SSH keys: sign in as one"),
])
def test_add_refuses_in_one_line_with_status_1(keys, keys_file, tmp_path, handle, text, rep, said):
    status, out, err = keys("add", handle, _pub(tmp_path, text), "--legwork", "/bin/legwork", rep=rep)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and said in err
    assert not keys_file.exists()


def test_a_duplicate_is_refused(keys, keys_file, tmp_path):
    assert keys("add", "alex", _pub(tmp_path, ed25519(1)), "--legwork", "/bin/legwork")[0] == 0
    status, out, err = keys("add", "sam", _pub(tmp_path, ed25519(1, "again")), "--legwork", "/bin/legwork")
    assert status == 1 and "already in" in err and "alex's key" in err
    assert keys_file.read_text().count("\n") == 1


def test_a_hostile_comment_is_listed_safely(keys, keys_file, tmp_path):
    keys_file.parent.mkdir(mode=0o700)
    # A hand-edited line whose comment would retitle the terminal and clear it.
    keys_file.write_text('restrict,pty,command="/bin/legwork --db /x.db ssh-session alex" '
                         + ed25519(3, "\x1b]0;pwned\x07\x1b[2J\u202e") + "\n")
    status, out, err = keys("list")
    assert status == 0 and "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "␛]0;pwned␇␛[2J⟨RLO⟩" in out
    status, out, _ = keys("list", "--json")
    assert "\x1b" not in out
    # And a new key's hostile comment is written to the file shown, never raw.
    keys("add", "sam", _pub(tmp_path, ed25519(4, "\x1b[31mred\x1b[0m")), "--legwork", "/bin/legwork")
    assert "\x1b" not in keys_file.read_text().splitlines()[1]


def test_an_unwritable_file_is_status_2(keys, tmp_path, legwork):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    status, out, err = legwork("--rep", "boss", "keys", "add", "alex", _pub(tmp_path, ed25519()), "--legwork",
                               "/bin/legwork", "--authorized-keys", str(blocker / "authorized_keys"))
    assert status == 2 and err.startswith("legwork: cannot write ")


# --- legwork ssh-session HANDLE ------------------------------------------------------------------


@pytest.fixture
def session_as(legwork, monkeypatch):
    def run(handle: str, original: str = "") -> tuple[int, str, str]:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", original)
        monkeypatch.setenv("LEGWORK_REP", "boss")
        return legwork("--rep", "boss", "ssh-session", handle, "--rep", "boss")

    return run


def test_the_session_is_the_keys_rep_whatever_else_says(session_as):
    status, out, err = session_as("alex", "today")
    assert (status, err) == (0, "")
    assert out.startswith("Alex Kim · ")
    status, out, err = session_as("alex", "today --json --rep=boss --db /tmp/other.db")
    assert status == 0 and json.loads(out)["rep"] == "alex"
    assert err.splitlines() == [
        "legwork: --rep ignored: over SSH you are alex, by your key, on the server's database",
        "legwork: --db ignored: over SSH you are alex, by your key, on the server's database",
    ]


@pytest.mark.parametrize("original, said", [
    ("import deals.csv", "'import' is not allowed"),
    ("keys add alex -", "'keys' is not allowed"),
    ("rep add eve", "'rep' is not allowed"),
    ("bash -i", "'bash' is not allowed"),
    ("today; sh", "'today;' is not allowed"),
    ("export deals --out /etc/passwd", "only export calendar is allowed"),
    ("export calendar --out /root/x.ics", "--out is not allowed with export"),
    ("numbers --period", "--period needs a value"),
    ("numbers --offset --rep=boss", "--offset needs a value"),
    ("today --re boss", "--re is not allowed with today"),
    ("today 'unclosed", "cannot read the command"),
    ("demo --reset", "'demo' is not allowed"),
    ("ssh-session boss", "'ssh-session' is not allowed"),
])
def test_anything_but_the_companions_is_refused(session_as, original, said):
    status, out, err = session_as("alex", original)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and said in err


def test_numbers_standup_and_the_calendar_are_the_keys_reps(session_as):
    status, out, _ = session_as("sam", "numbers --period month --json --rep boss")
    assert status == 0 and json.loads(out)
    status, out, _ = session_as("sam", "standup --markdown")
    assert status == 0
    status, out, err = session_as("sam", "export calendar")
    assert status == 0 and out.startswith("BEGIN:VCALENDAR") and "Sam Ortiz" in err


def test_an_unknown_or_deactivated_rep_cannot_sign_in(session_as, team):
    status, out, err = session_as("ghost", "")
    assert (status, out) == (1, "") and err.count("\n") == 1 and "ghost cannot sign in" in err
    with team.session() as session:
        rep = session.exec(select(Rep).where(Rep.handle == "sam")).one()
        rep.active = False
        session.add(rep)
        session.commit()
    status, out, err = session_as("sam", "today")
    assert (status, out) == (1, "") and "sam cannot sign in" in err


def test_the_session_command_is_not_listed_in_help():
    assert "ssh-session" not in _parser().format_help()


def test_parse_keeps_only_what_is_allowed():
    assert ssh_session.parse("") == ([], [])
    assert ssh_session.parse("--rep boss") == ([], ["--rep"])
    assert ssh_session.parse("--theme nord --db x") == (["--theme", "nord"], ["--db"])
    assert ssh_session.parse("legwork today --json") == (["today", "--json"], [])
    assert ssh_session.parse("numbers --period quarter --offset -1") == (["numbers", "--period", "quarter", "--offset", "-1"], [])


# --- the app signed in by a key: no onboarding, no way to be someone else -------------------------


async def test_a_key_session_never_offers_onboarding(team):
    app = LegworkApp(team, "ghost", fixed_identity=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.rep is None
        assert type(app.screen).__name__ != "OnboardingScreen"
    assert app.return_code == 1


async def test_a_key_session_has_no_screenshot_command(team):
    app = LegworkApp(team, "alex", fixed_identity=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.rep.handle == "alex"
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Quit" in titles and "Screenshot" not in titles
    plain = LegworkApp(team, "alex")
    async with plain.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Screenshot" in [command.title for command in plain.get_system_commands(plain.screen)]
