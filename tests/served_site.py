"""The site served as production serves it: the README's gunicorn command, DEBUG off, in a subprocess.

Some behaviour only shows in a real server: what gunicorn prints when a request fails, whether a slow
Horde ties up every worker, whether a limit holds across worker processes. `served_site` runs the
command exactly as README.md writes it (only the address changes, and `--workers` when a test asks),
on a migrated SQLite file and collected static files made once per test session.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def readme_gunicorn_command() -> list[str]:
    """The production web command, as README.md's "Web" line writes it."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"`(gunicorn ratings_site\.wsgi[^`]*)`", text)
    assert match, "README.md names no `gunicorn ratings_site.wsgi ...` command"
    return shlex.split(match.group(1))


def _with_option(args: list[str], option: str, value: str) -> list[str]:
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == option:
            skip = True
            continue
        if arg.startswith(option + "="):
            continue
        out.append(arg)
    return [*out, option, value]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(base: Path, static_root: Path, horde_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "HORDE_TIMEOUT", "STANDIN_HORDE_ALLOWED"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ratings_site.settings",
        DEBUG="0",
        SECRET_KEY="served-site-test-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{base / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(base / "media"),
        HORDE_API_URL=horde_url,
        LOG_LEVEL="DEBUG",  # print as much as the site ever would
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def prepare_site(base: Path) -> Path:
    """A migrated SQLite database and collected static files in `base`, to be copied per server: made once per test
    session by the fixture `_prepared_site` (tests/conftest.py)."""
    base.mkdir()
    env = _environment(base, base / "static", "http://127.0.0.1:9/api", {})
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return base


@dataclass
class ServedSite:
    url: str
    process: subprocess.Popen
    log_path: Path
    opener: urllib.request.OpenerDirector = field(repr=False)

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, *, timeout: float = 30) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.url + path), timeout)

    def post_login(self, apikey: str, *, timeout: float = 30, path: str = "/login/") -> tuple[int, str]:
        """POST a key to the login form as a browser does (a fresh CSRF cookie and token each time)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, _ = self._open(urllib.request.Request(self.url + path), timeout, opener)
        assert status == 200, status
        token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({"apikey": apikey, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST")
        return self._open(request, timeout, opener)

    def _open(self, request, timeout, opener=None) -> tuple[int, str]:
        try:
            with (opener or self.opener).open(request, timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def served_site(
    _prepared_site: Path, tmp_path: Path, horde
) -> Iterator[Callable[..., ServedSite]]:
    """Start the README's gunicorn command against the test's stand-in Horde; stop it after the test."""
    started: list[ServedSite] = []

    def _start(*, workers: int | None = None, env: dict[str, str] | None = None) -> ServedSite:
        base = tmp_path / f"site{len(started)}"
        base.mkdir()
        shutil.copy(_prepared_site / "db.sqlite3", base / "db.sqlite3")
        port = _free_port()
        args = _with_option(readme_gunicorn_command(), "--bind", f"127.0.0.1:{port}")
        if workers is not None:
            args = _with_option(args, "--workers", str(workers))
        args[0] = str(Path(PYTHON).with_name("gunicorn"))
        log_path = base / "server.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            args, cwd=ROOT, env=_environment(base, _prepared_site / "static", horde.url, env or {}), stdout=log, stderr=subprocess.STDOUT
        )
        site = ServedSite(
            url=f"http://127.0.0.1:{port}",
            process=process,
            log_path=log_path,
            opener=urllib.request.build_opener(_NoRedirect),
        )
        started.append(site)
        deadline = time.monotonic() + 60
        while True:
            try:
                if site.get("/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, site.output()
            assert time.monotonic() < deadline, site.output()
            time.sleep(0.2)
        return site

    yield _start
    for site in started:
        site.process.terminate()
        try:
            site.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            site.process.kill()
            site.process.wait()
