"""`ucj fetch bps` in its own process against a local WebAPI on 127.0.0.1 (no network): with -v the log shows
each request's URL with the key replaced (a logging filter on httpx and httpcore, not a silenced logger);
a refused connection fails at once in one line. The answer served is the real recorded one in ../shared."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from conftest import WEBAPI_JSON
from ucj.ingest import fetch_bps as fb

KEY = "fa4eb0c1d2e3f40516273849aabbccdd"  # a made-up key of the WebAPI's shape
REAL = WEBAPI_JSON.read_bytes()
# the real `ucj` command (ucj.cli.app, as the console script runs it) with only the API's address changed
RUN = ("import sys; import ucj.ingest.fetch_bps as f; f.BASE_URL = sys.argv[1]; from ucj.cli import app; "
       "sys.argv = ['ucj', *sys.argv[2:]]; app()")


@pytest.fixture
def local_api():  # type: ignore[no-untyped-def]
    seen: list[str] = []

    class Api(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(self.path)
            ok = self.path.endswith(f"/var/624/th/125/key/{KEY}/")
            self.send_response(200 if ok else 404)
            self.send_header("content-type", "application/json")
            body = REAL if ok else b'{"status":"Error","message":"not found"}'
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/api", seen
    finally:
        server.shutdown()
        server.server_close()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return env | {"UCJ_BPS_KEY": KEY, "NO_PROXY": "127.0.0.1"}


def _fetch(base: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN, base, *args, "fetch", "bps", "-i", "poverty_line", "--year",
                           "2025", "--out", str(tmp_path / "processed"), "--raw-dir", str(tmp_path / "raw")],
                          capture_output=True, text=True, env=_env(), timeout=300, cwd=tmp_path)


def test_v_shows_each_request_without_the_key(local_api, tmp_path):
    base, seen = local_api
    run = _fetch(base, tmp_path, "-v")
    assert run.returncode == 0, run.stderr
    assert len(seen) == 1 and seen[0].endswith(f"/key/{KEY}/")  # the server did get the key
    requests = [line for line in run.stderr.splitlines() if "HTTP Request: GET" in line]
    assert len(requests) == 1, run.stderr
    assert f"{base}/list/model/data/lang/ind/domain/0000/var/624/th/125/key/KEY-REMOVED/" in requests[0]
    assert requests[0].endswith(' 200 OK"')
    assert KEY not in run.stderr and KEY not in run.stdout
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    (tmp_path / "q").mkdir()
    quiet = _fetch(base, tmp_path / "q")
    assert quiet.returncode == 0 and "HTTP Request" not in quiet.stderr  # without -v: no request lines


def test_a_refused_connection_fails_at_once_in_one_line(tmp_path):
    with socket.socket() as s:  # a port nothing listens on: the connection is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    run = _fetch(f"http://127.0.0.1:{port}/v1/api", tmp_path)
    took = time.monotonic() - started
    assert run.returncode == 2, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach webapi.bps.go.id (offline"), run.stderr
    assert "refused" in lines[0].lower() and KEY not in run.stderr
    assert took < 15, took  # no 1 + 2 + 4 + 8 s of retries (the process's own start takes a few seconds)
    assert not (tmp_path / "processed").exists() and not (tmp_path / "raw").exists()


def test_the_http_loggers_are_left_as_they_were(tmp_path, monkeypatch):
    """A notebook that logs httpx at INFO keeps doing so after a fetch, and sees the request without the key."""
    monkeypatch.setenv("UCJ_BPS_KEY", KEY)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    httpx_log = logging.getLogger("httpx")
    keep = Keep()
    httpx_log.addHandler(keep)
    monkeypatch.setattr(httpx_log, "level", logging.INFO)
    try:
        fb.fetch_bps(["poverty_line"], [], [2025], out=tmp_path / "p", raw_dir=tmp_path / "r",
                     transport=httpx.MockTransport(lambda r: httpx.Response(200, content=REAL)))
        assert httpx_log.level == logging.INFO and httpx_log.filters == []
        assert all(logging.getLogger(n).filters == [] for n in fb.HTTP_LOGGERS)
        texts = [r.getMessage() for r in records]
        assert len(texts) == 1 and "key/KEY-REMOVED/" in texts[0] and KEY not in texts[0]
        httpx_log.info("after the fetch: %s", "still logged")
        assert records[-1].getMessage() == "after the fetch: still logged"
    finally:
        httpx_log.removeHandler(keep)
