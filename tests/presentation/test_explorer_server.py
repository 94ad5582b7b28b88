"""`ucj explore` closed to strangers (issue 24, items 5 and 8): no page and no kernel without the token, at
most --max-kernels kernels, an unused kernel shut down after --idle-timeout, nothing left running after
kill -9 of `ucj explore` or a closed terminal (SIGHUP), and an address that is not this machine's refused
in one line. The one warm kernel the server starts for the first page (issue 21, first paint) is one of
those kernels: counted toward the cap, given to a page only after the token, shut down when unused."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree_with_kernel(pid: int) -> set[int]:
    """The processes under `pid` once its kernel shows among them: under a full run's load the page may answer
    before the kernel's process is listed (fork before exec), so look for up to 30 s (CI run, 2026-12-04)."""
    deadline = time.monotonic() + 30
    while not _kernels(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    return {p.pid for p in psutil.Process(pid).children(recursive=True)}


def _kernels(pid: int) -> list[psutil.Process]:
    """The live kernel processes under `pid` (one ending meanwhile is not counted). A kernel's own child is not
    a kernel: between fork and exec it shows its parent's command line (a kernel running `uname` for
    `platform` did, and a run counted two kernels where one ran, 2026-12-05)."""
    try:
        tree = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for p in tree:
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(p.cmdline()):
                found.append(p)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            pass
    pids = {p.pid for p in found}
    out = []
    for p in found:
        try:
            if p.ppid() not in pids:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _get(url: str, timeout: float = 180) -> int:
    """A GET as a browser makes it (redirects followed, cookies kept), its final status."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    try:
        with opener.open(url, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def _page(url: str, timeout: float = 180) -> tuple[int, str]:
    """A GET as `_get` makes it: its final status and the page's visible text (for a failure's message: a
    page answers 200 before its cells run, so a kernel that failed shows only in the text)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    try:
        with opener.open(url, timeout=timeout) as r:
            body = r.read().decode("utf-8", "replace")
            status = r.status
    except urllib.error.HTTPError as err:
        return err.code, ""
    text = re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S))
    return status, text.strip()


def _no_kernel_message(pid: int, text: str, tmp: Path | None = None) -> str:
    """What a failure shows when no kernel is listed after a page: the processes under the server (their
    status and the start of their command), the end of the page's text and of the server's log (`_start`
    writes it to tmp/server.log)."""
    try:
        procs = [f"{p.pid} {p.status()} {' '.join(p.cmdline())[:80]}" for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        procs = ["server gone"]
    log = tmp / SERVER_LOG if tmp is not None else None
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log is not None and log.exists() else ""
    return f"processes: {procs}; page text ends: {text[-600:]!r}; server log ends: {tail!r}"


SERVER_LOG = "server.log"  # each test's server log (`ucj explore --log`), for a failure's message


def _start(demo_dir: Path, tmp: Path, *args: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp / "rt"))
    if "--log" not in args:  # what the server did, for a failure's message (`_no_kernel_message`)
        args = (*args, "--log", str(tmp / SERVER_LOG))
    proc = subprocess.Popen([str(BIN / "ucj"), "explore", "--data-dir", str(demo_dir), "--port", str(port), *args],
                            stdout=subprocess.PIPE, text=True, env=env)
    first = proc.stdout.readline()  # type: ignore[union-attr]
    m = re.search(r"http://\S+", first)
    assert m, first
    return proc, m.group(0)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _first_answer(url: str, **headers: str) -> tuple[int, str]:
    """The server's own answer to a GET (status and Location), redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as r:
            return r.status, ""
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", "")


def _set_cookie(url: str) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=60)
    except urllib.error.HTTPError as err:
        return err.headers.get("Set-Cookie", "")
    return ""


def _warm_kernel(pid: int, timeout: float = 120) -> psutil.Process:
    """The warm kernel the server starts before any page is asked for (waited for: it may still start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _kernels(pid)
        if found:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.2)
    raise AssertionError("no warm kernel")


def test_no_token_no_page_and_no_kernel_and_at_most_the_cap(demo_dir, tmp_path):
    proc, address = _start(demo_dir, tmp_path, "--max-kernels", "2")
    base = address.split("?")[0]
    try:
        warm = _warm_kernel(proc.pid)  # started with the server, by whoever started `ucj explore`
        # jupyter_server's identity provider sends a request without the token to the login page, which
        # answers 403 with the way in; a blind request from another web site is no different
        assert _first_answer(base) == (302, "/login?next=%2F")
        assert _first_answer(base, Origin="https://evil.example", Referer="https://evil.example/")[0] == 302
        assert _get(base) == 403 and _get(base + "?token=wrong") == 403
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "login", timeout=60)
        assert "ucj explore" in refused.value.read().decode()
        time.sleep(1)
        assert [k.pid for k in _kernels(proc.pid)] == [warm.pid]  # no request without the token started one
        codes: list[int] = []
        threads = [threading.Thread(target=lambda: codes.append(_get(address))) for _ in range(20)]
        for t in threads:
            t.start()
        peak = 0
        while any(t.is_alive() for t in threads):
            peak = max(peak, len(_kernels(proc.pid)))
            time.sleep(0.2)
        assert peak <= 2 and codes.count(200) >= 1 and codes.count(200) <= 2, (peak, sorted(codes))
        assert set(codes) <= {200, 503}
        # the warm kernel served a page (still open); when not, say whether the server or the kernel had gone
        # (seen once under a loaded full run with no kernel left at all: which one is not yet known)
        left = {k.pid for k in _kernels(proc.pid)}
        assert warm.pid in left, {"server_exit_status": proc.poll(), "warm_running": warm.is_running(),
                                  "kernels_left": sorted(left), "codes": sorted(codes), "peak": peak}
    finally:
        _stop(proc)


def test_an_unused_kernel_is_shut_down(demo_dir, tmp_path):
    # 30 s, not 6: a page's kernel with no activity for the idle timeout while its page still renders is culled (no
    # connection yet), and under a loaded full run a warm kernel's page went 6 s between two messages (2026-12-05:
    # the page came back without its widget); a planner's default is 600 s
    proc, address = _start(demo_dir, tmp_path, "--idle-timeout", "30")
    try:
        warm = _warm_kernel(proc.pid)
        # a page fetched but never opened in a browser: its kernel goes idle
        status, location = _first_answer(address)  # the token sets the login cookie, then the page without it
        assert (status, location) == (302, "/")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(address, timeout=180) as r:
            assert r.status == 200 and r.url == address.split("?")[0]
            assert b"application/vnd.jupyter.widget-view+json" in r.read()
        cookie = _set_cookie(address)
        assert "SameSite=Strict" in cookie and "HttpOnly" in cookie  # the token's login cookie: this site only
        assert [k.pid for k in _kernels(proc.pid)] == [warm.pid]  # the page ran in the warm kernel
        # the token is on no command line (other users of the machine can read those) and not in the
        # environment of the kernel that runs the notebook
        token = address.split("token=")[1]
        assert all(token not in " ".join(p.cmdline()) for p in psutil.Process(proc.pid).children(recursive=True))
        assert all(token not in v for v in _kernels(proc.pid)[0].environ().values())
        deadline = time.monotonic() + 120
        while _kernels(proc.pid) and time.monotonic() < deadline:
            time.sleep(1)
        assert _kernels(proc.pid) == []
    finally:
        _stop(proc)


def test_an_unused_warm_kernel_is_shut_down_and_the_next_page_starts_its_own(demo_dir, tmp_path):
    proc, address = _start(demo_dir, tmp_path, "--idle-timeout", "6")
    try:
        warm = _warm_kernel(proc.pid)
        deadline = time.monotonic() + 120  # never asked for: shut down like any unused kernel
        while _kernels(proc.pid) and time.monotonic() < deadline:
            time.sleep(1)
        assert _kernels(proc.pid) == []
        assert _get(address) == 200  # the page then starts a kernel of its own
        # under load its process may show the launcher's command line for a moment after the page answers (fork
        # before exec; a loaded full run saw none at once), so look for it for up to 30 s
        deadline = time.monotonic() + 30
        while len(_kernels(proc.pid)) != 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(_kernels(proc.pid)) == 1 and _kernels(proc.pid)[0].pid != warm.pid
    finally:
        _stop(proc)


def test_without_the_warm_kernel_no_kernel_runs_before_a_page(demo_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("UCJ_EXPLORE_WARM", "0")
    proc, address = _start(demo_dir, tmp_path)
    try:
        time.sleep(3)
        assert _kernels(proc.pid) == []
        assert _get(address.split("?")[0]) == 403 and _kernels(proc.pid) == []
        assert _get(address) == 200
        # the page's kernel: under load its process may show the launcher's command line for a moment after
        # the page answers (fork before exec), so look for it for up to 30 s
        deadline = time.monotonic() + 30
        while len(_kernels(proc.pid)) != 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(_kernels(proc.pid)) == 1
    finally:
        _stop(proc)


def _server_with_a_page(demo_dir: Path, tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    """A server with a page open, and the processes under it once the page's kernel shows (the server and a
    kernel at least); a failure here stops the server (one failed run left it running for 1 h 38 min)."""
    proc, address = _start(demo_dir, tmp_path)
    try:
        status, text = _page(address)
        assert status == 200
        tree = _tree_with_kernel(proc.pid)
        assert len(tree) >= 2, _no_kernel_message(proc.pid, text, tmp_path)  # the server and a kernel
    except BaseException:
        _stop(proc)
        raise
    return proc, tree


def test_kill_9_leaves_nothing_running(demo_dir, tmp_path):
    proc, tree = _server_with_a_page(demo_dir, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"
                                              for p in tree):
        time.sleep(0.5)
    left = [p for p in tree if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert left == []


def test_a_closed_terminal_leaves_nothing_running(demo_dir, tmp_path):
    proc, tree = _server_with_a_page(demo_dir, tmp_path)
    os.kill(proc.pid, signal.SIGHUP)  # what closing its terminal sends
    proc.wait(60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"
                                              for p in tree):
        time.sleep(0.5)
    assert [p for p in tree if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"] == []


def test_an_address_of_another_machine_is_refused(tmp_path):
    """The address is checked first, before the data folders (here one that does not exist)."""
    run = subprocess.run([str(BIN / "ucj"), "explore", "--host", "192.0.2.1", "--port", str(_free_port()),
                          "--data-dir", str(tmp_path / "none")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not an address of this machine" in run.stderr


def test_a_busy_port_is_named(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        run = subprocess.run([str(BIN / "ucj"), "explore", "--port", str(s.getsockname()[1]),
                              "--data-dir", str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "is in use" in run.stderr


def test_only_loopback_is_this_machine_only():
    from ucj.cli import _loopback

    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost") and _loopback("127.0.1.1")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5") and not _loopback("::")


def test_the_server_log_goes_to_the_file_asked_for_with_the_token_masked(demo_dir, tmp_path):
    """`ucj explore --log F`: what the server says (its start, each kernel, each request) lands in F, readable
    by its owner only, and the token that opens a page appears nowhere in it."""
    log = tmp_path / "explore.log"
    proc, address = _start(demo_dir, tmp_path, "--log", str(log))
    token = address.split("token=", 1)[1]
    try:
        assert _get(address) == 200
    finally:
        _stop(proc)
    text = log.read_text(encoding="utf-8")
    assert "Voil" in text and "Kernel started" in text, text[-2000:]
    assert token not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_log_file_in_a_missing_folder_is_one_line_before_anything_starts(demo_dir, tmp_path):
    run = subprocess.run([str(BIN / "ucj"), "explore", "--port", str(_free_port()), "--data-dir", str(demo_dir),
                          "--log", str(tmp_path / "none" / "explore.log")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "folder does not exist" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_page_waits_for_the_warm_kernels_preload(demo_dir, tmp_path, monkeypatch):
    """The explorer-server flake's cause: a page's executor asks its kernel whether it is ready and shuts it down
    after its startup timeout (nbclient's 60 s), while the warm kernel answers only once its preload (imports,
    data, the first district's figures) has ended; on a loaded machine that took longer, and the page answered
    200 with no kernel left. With the page's timeout at 1 s (shorter than any preload), the page must still get
    the warm kernel, alive, and the server log must show no kernel that did not respond (without the wait in
    `WarmKernelManager.start_kernel` the log says "Kernel didn't respond in 1 seconds" and the kernel is shut
    down: seen by hand, 2026-12-05)."""
    monkeypatch.setenv("UCJ_EXPLORE_STARTUP_TIMEOUT", "1")
    proc, address = _start(demo_dir, tmp_path)
    try:
        warm = _warm_kernel(proc.pid)
        status, text = _page(address)
        assert status == 200
        log = (tmp_path / SERVER_LOG).read_text(encoding="utf-8")
        assert "Page uses the warm kernel" in log, log[-2000:]
        assert "didn't respond" not in log, log[-2000:]
        assert [k.pid for k in _kernels(proc.pid)] == [warm.pid], _no_kernel_message(proc.pid, text, tmp_path)
    finally:
        _stop(proc)
