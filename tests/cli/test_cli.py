from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from patron.accounts.models import Agent, Role
from patron.accounts.services import authenticate_token
from patron.cli import main
from tests import factories


def test_token_create_prints_the_token_alone_on_the_last_line(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    agent = factories.agent(username="integrator")
    assert main(["token", "create", "--username", "integrator"]) == 0
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert authenticate_token(last_line) == agent


def test_token_create_for_unknown_agent_fails_clearly(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--username", "nobody"]) == 2
    assert "There is no agent called nobody." in capsys.readouterr().err


def test_createadmin_takes_password_from_environment(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATRON_ADMIN_PASSWORD", "a-long-admin-passphrase")
    assert main(["createadmin", "--username", "root", "--email", "root@desk.example"]) == 0
    admin = Agent.objects.get(username="root")
    assert (admin.role, admin.is_superuser) == (Role.ADMIN, True)
    assert admin.check_password("a-long-admin-passphrase")


def test_createadmin_refuses_a_weak_password_with_a_message(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATRON_ADMIN_PASSWORD", "123")
    assert main(["createadmin", "--username", "root", "--email", "root@desk.example"]) == 2
    assert "too short" in capsys.readouterr().err
    assert not Agent.objects.filter(username="root").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_patron_run_migrates_and_serves(tmp_path: Path) -> None:
    """The command `make run` calls: a fresh data directory, migrate, serve, answer /healthz."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PATRON_")}
    env.update(PATRON_DATA_DIR=str(tmp_path), PATRON_LOCAL="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "patron.cli", "run", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                    body = response.read()
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.3)
        assert b'"status": "ok"' in body, server.stdout.read() if server.poll() is not None else "no answer"
        assert (tmp_path / "patron.sqlite3").exists()
        assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_patron_run_stops_its_worker_when_stopped(tmp_path: Path) -> None:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PATRON_")}
    env.update(PATRON_DATA_DIR=str(tmp_path), PATRON_LOCAL="1")
    server = subprocess.Popen(
        [sys.executable, "-m", "patron.cli", "run", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _worker_pids(tmp_path):
            time.sleep(0.3)
        workers = _worker_pids(tmp_path)
        assert workers, "the worker did not start"
        server.terminate()
        server.wait(timeout=60)
        time.sleep(0.5)
        assert _worker_pids(tmp_path) == []
    finally:
        # Whatever happened above, nothing is left running after the test.
        if server.poll() is None:
            server.kill()
        for pid in _worker_pids(tmp_path):
            os.kill(pid, signal.SIGKILL)


def _worker_pids(data_dir: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"worker" in cmdline and b"patron.cli" in cmdline and f"PATRON_DATA_DIR={data_dir}".encode() in environ:
            pids.append(int(entry.name))
    return pids


def test_an_empty_data_directory_setting_means_the_default_not_the_current_directory(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PATRON_")}
    env.update(PATRON_DATA_DIR="", PATRON_FILES_DIR="", PATRON_LOCAL="1", DJANGO_SETTINGS_MODULE="patron.settings")
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATA_DIR, settings.PATRON_FILES_DIR)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == [str(tmp_path / "var"), str(tmp_path / "var" / "files")]
