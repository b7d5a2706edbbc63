"""A real Dovecot IMAP server on 127.0.0.1 for the tests: its own configuration, users and mail
under a temporary folder, started and stopped around the tests that need it."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.channels.smtp_sink import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "help@desk.example", "imap-secret-for-tests"


@dataclass(frozen=True)
class Dovecot:
    port: int
    user: str
    password: str


def _config(root: Path, port: int, owner: pwd.struct_passwd, login: str) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {owner.pw_name}
default_internal_group = {grp.getgrgid(owner.pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        pytest.fail("Dovecot is not installed: `make test` installs it (dovecot-imapd) when run as root.")
    root = Path(tempfile.mkdtemp(prefix="patron-dovecot-"))
    root.chmod(0o755)
    running_as_root = os.geteuid() == 0
    # As root, mail belongs to Dovecot's own user; otherwise everything runs as the tester.
    owner = pwd.getpwnam("dovecot") if running_as_root else pwd.getpwuid(os.geteuid())
    login = "dovenull" if running_as_root else owner.pw_name
    (root / "home").mkdir()
    os.chown(root / "home", owner.pw_uid, owner.pw_gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, owner, login))
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(port, server, root)
        yield Dovecot(port=port, user=USER, password=PASSWORD)
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False, capture_output=True)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, server: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            errors = server.stderr.read().decode() if server.stderr else ""
            raise RuntimeError(f"Dovecot stopped at start: {errors}\n{log}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("Dovecot did not start listening in 20 seconds.")
