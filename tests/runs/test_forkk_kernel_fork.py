"""A batch worker's kernel forked from the worker (ucj.runs.kernel_fork) instead of launched as a fresh interpreter:
where it applies, the Popen-like handle jupyter_client gets, a forked kernel's state against a launched one's (the
reference: what `python -m ipykernel_launcher` gives), interrupts, and a real `ucj reports --workers 2` whose kernels
are forked children of their workers, whose reports equal the launched kernels' (UCJ_FORK_KERNEL=off) and plain
papermill's, and which leaves nothing behind when it is killed, or when one worker is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import plain_papermill_report
from ucj.runs import kernel_fork
from test_speedo_forkserver import PNGS, _left, _marked, _sheets, _untimed

BIN = Path(sys.executable).parent
THREE = ["Boalemo", "Minahasa", "Muna Barat"]
CMD = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "/tmp/k.json", "--x"]


# -- where it applies ----------------------------------------------------------------------------
def test_a_kernel_is_forked_only_where_it_applies(monkeypatch):
    monkeypatch.delenv(kernel_fork.FORK_KERNEL_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(sys, "_xoptions", {})
    monkeypatch.setattr(kernel_fork, "_PRELOADED", [])
    assert not kernel_fork.applies(CMD)  # nothing preloaded (a spawned worker, Dask, the cold `ucj report`)
    assert kernel_fork.refusal(CMD) == "not preloaded"  # the reason the timeline records
    monkeypatch.setattr(kernel_fork, "_PRELOADED", [True])
    monkeypatch.setattr(kernel_fork.threading, "enumerate", lambda: [kernel_fork.threading.main_thread()])
    assert kernel_fork.applies(CMD)
    assert kernel_fork.applies([a for a in CMD if not a.startswith("-X")])
    monkeypatch.setenv(kernel_fork.FORK_KERNEL_ENV, "off")
    assert not kernel_fork.applies(CMD)
    monkeypatch.delenv(kernel_fork.FORK_KERNEL_ENV)
    assert not kernel_fork.applies(["/usr/bin/python3", *CMD[1:]])  # another interpreter than this one
    assert not kernel_fork.applies([CMD[0], "-O", *CMD[2:]])  # an option that changes how the kernel runs
    assert not kernel_fork.applies([CMD[0], "-m", "other_kernel", "-f", "x"])
    monkeypatch.setattr(sys, "_xoptions", {"utf8": True})  # `python -X utf8 ucj reports`: the workers have it,
    assert kernel_fork.refusal(CMD) == "interpreter options"  # a launched kernel would not (red team, redfork)
    monkeypatch.setattr(sys, "_xoptions", {})
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not kernel_fork.applies(CMD)
    monkeypatch.setattr(sys, "platform", "linux")
    other = kernel_fork.threading.Thread(target=lambda: None, name="another")
    monkeypatch.setattr(kernel_fork.threading, "enumerate", lambda: [kernel_fork.threading.main_thread(), other])
    assert not kernel_fork.applies(CMD)  # a thread of the worker's own (a lock it may hold would be copied)
    assert kernel_fork.refusal(CMD) == "threads: another"


def test_the_preload_reads_no_matplotlibrc_of_the_folder_the_command_runs_in(tmp_path):
    """matplotlib reads ./matplotlibrc when it is imported; a launched kernel imports it in its own empty folder, so
    the preload (in the fork server, in the folder `ucj reports` was run in) must too (red team, redfork: a red
    axes background in every chart of a forked batch only). The command's folder is its own again afterwards."""
    (tmp_path / "matplotlibrc").write_text("axes.facecolor: red\n")
    code = (
        "import os\nfrom ucj.runs import kernel_fork\nassert kernel_fork.preload()\n"
        "import matplotlib\nprint(matplotlib.rcParams['axes.facecolor'], os.getcwd())\n")
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "MATPLOTLIBRC")}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["white", str(tmp_path)]  # matplotlib's default, and the folder given back
    plain = subprocess.run([sys.executable, "-c", "import matplotlib; print(matplotlib.rcParams['axes.facecolor'])"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert plain.stdout.split() == ["red"]  # the file is one matplotlib reads there (the test can fail)


def test_the_handle_behaves_as_popen_does_for_the_same_child():
    """ForkedKernel's poll, wait and kill on a forked child give what subprocess.Popen gives for a child it ran."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child sleeps until it is killed
        time.sleep(60)
        os._exit(0)
    handle = kernel_fork.ForkedKernel(pid, ["python", "-m", "ipykernel_launcher"])
    popen = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert handle.poll() is None and popen.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            handle.wait(timeout=0.05)
        handle.kill()
        popen.kill()
        assert handle.wait(timeout=10) == popen.wait(timeout=10) == -signal.SIGKILL
        assert handle.poll() == handle.returncode == -signal.SIGKILL
        handle.kill()  # already ended: nothing happens, as with Popen
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped
    finally:
        popen.kill()
        popen.wait()
    ends = os.fork()
    if ends == 0:  # pragma: no cover
        os._exit(3)
    assert kernel_fork.ForkedKernel(ends, []).wait() == 3


# -- a forked kernel against a launched one ------------------------------------------------------
PROBE = r'''
import json, os, sys, time
from pathlib import Path
from ucj.runs import engine, kernel_fork
fork = sys.argv[1] == "fork"
if fork:
    assert kernel_fork.preload(engine.KERNEL_WARM_IMPORTS)
held = os.pipe()  # a descriptor of this "worker" the kernel must not keep
k = engine.WarmKernel(None, launch_ahead=True, fork=fork)
k._started.result(120)
pid = k.pid
fds = {int(fd): os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
code = """
import json as _j, os as _o, sys as _s, signal as _g, warnings as _w, matplotlib as _m
print(_j.dumps({"cwd": _o.getcwd(), "path": [p.replace(_o.getcwd(), "<cwd>") for p in _s.path],
  "argv": _s.argv[1:], "argv0": _s.argv[0].rsplit("/", 1)[-1], "backend": _m.rcParams["backend"],
  "mplbackend": _o.environ.get("MPLBACKEND"), "jpy": _o.environ.get("JPY_PARENT_PID"),
  "pyexe": "PYTHONEXECUTABLE" in _o.environ, "executable": _s.executable,
  "handlers": {int(s): str(_g.getsignal(s)) for s in _g.valid_signals() if s not in (_g.SIGKILL, _g.SIGSTOP)},
  "filters": [[str(f)] for f in _w.filters]}))
"""
out = []
reply = k._call(k.kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(m)))
seen = json.loads(next(m["content"]["text"] for m in out if m["msg_type"] == "stream"))
time.sleep(0.5)  # idle again: ipykernel ignores SIGINT between requests (it catches it while it runs one)
status = dict(l.split(":", 1) for l in Path(f"/proc/{pid}/status").read_text().splitlines())
# an interrupt (jupyter_client signals the kernel's process group) stops a running cell
k.kc.execute("import time; time.sleep(60)")
time.sleep(1)
k._call(k.km.interrupt_kernel())
async def reply_of_sleep():
    while True:
        msg = await k.kc.shell_channel.get_msg(timeout=30)
        if msg["msg_type"] == "execute_reply":
            return msg["content"]
interrupted = k._call(reply_of_sleep())
cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
k.close()
print(json.dumps({"pid": pid, "me": os.getpid(), "ppid": int(stat[1]), "pgid": int(stat[2]), "sid": int(stat[3]),
                  "fds": fds, "pipe": [os.readlink(f"/proc/self/fd/{fd}") for fd in held],
                  "mine": [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                           if os.path.exists(f"/proc/self/fd/{fd}")],
                  "sig": {k: status[k].strip() for k in ("SigBlk", "SigIgn", "SigCgt")},
                  "kernel": seen, "interrupted": interrupted.get("ename"), "cmdline": cmdline,
                  "reaped": Path(f"/proc/{pid}").exists() is False}))
'''


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """The same probe of a kernel, forked (a process that preloaded as a fork server does) and launched."""
    seen = {}
    for how in ("fork", "launch"):
        run = subprocess.run([sys.executable, "-c", PROBE, how], capture_output=True, text=True, timeout=300,
                             env=os.environ | {"UCJ_FORK_KERNEL": "on"})
        assert run.returncode == 0, run.stderr[-3000:]
        seen[how] = json.loads(run.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.slow
def test_a_forked_kernel_is_a_child_in_a_session_of_its_own_holding_none_of_its_workers_descriptors(probes):
    forked, launched = probes["fork"], probes["launch"]
    assert "ipykernel_launcher" not in forked["cmdline"]  # no fresh interpreter: the worker's own command line
    assert "ipykernel_launcher" in launched["cmdline"]
    for p in (forked, launched):
        assert p["ppid"] == p["me"] and p["pgid"] == p["sid"] == p["pid"]  # the worker's child, its own session
        assert p["kernel"]["jpy"] == str(p["me"])
        assert p["reaped"]
        assert not set(p["pipe"]) & set(p["fds"].values())  # the worker's pipe is not the kernel's
        # no pipe, socket or file of the worker's: only the kernel's own (and /dev/null, event fds)
        shared = {f for f in p["fds"].values() if f.startswith(("pipe:", "socket:", "/"))} & set(p["mine"])
        assert shared <= {"/dev/null"}, shared
    assert forked["fds"]["0"] == "/dev/null"  # stdin (a launched kernel's is a pipe it never reads)


@pytest.mark.slow
def test_a_forked_kernel_runs_as_a_launched_one_does(probes):
    """What a cell sees: working folder, sys.path, argv, matplotlib's backend, the environment, signal handlers
    and masks, warning filters, interpreter: the launched kernel's (the reference), a folder of its own aside."""
    forked, launched = probes["fork"]["kernel"], probes["launch"]["kernel"]
    for key in ("path", "argv0", "backend", "mplbackend", "pyexe", "executable", "handlers"):
        assert forked[key] == launched[key], key
    # the same warning filters in the same order: the boot imports' filters on top of ipykernel's own (a forked
    # kernel imported first and puts them back there as its boot lines run: kernel_fork.booted)
    assert [f[0] for f in forked["filters"]] == [f[0] for f in launched["filters"]]
    assert forked["backend"] == kernel_fork.MPL_INLINE
    assert forked["argv"][0] == "-f" and forked["argv"][2:] == launched["argv"][2:]
    assert Path(forked["cwd"]).name.startswith("ucj-kernel-") and forked["cwd"] != launched["cwd"]
    assert probes["fork"]["sig"] == probes["launch"]["sig"]


@pytest.mark.slow
def test_an_interrupt_stops_a_forked_kernels_cell(probes):
    assert probes["fork"]["interrupted"] == probes["launch"]["interrupted"] == "KeyboardInterrupt"


# -- the real path -----------------------------------------------------------------------------
def _batch(demo_dir: Path, out: Path, run: str, mark: str, fork: str, lang: str = "id"
           ) -> tuple[subprocess.CompletedProcess, Path, dict[int, str]]:
    """`ucj reports --workers 2` on THREE; the kernels' command lines, read while they ran."""
    timeline = out / f"{run}-timeline.jsonl"
    args = [str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(out), "--run", run,
            "--workers", "2", "--no-progress", "--lang", lang, *[a for d in THREE for a in ("--district", d)]]
    env = os.environ | {"UCJ_TEST_MARK": mark, "UCJ_TIMELINE": str(timeline), kernel_fork.FORK_KERNEL_ENV: fork}
    env.pop("UCJ_FORKSERVER", None)
    batch = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cmdlines: dict[int, str] = {}
    while batch.poll() is None and len(cmdlines) < 2:
        steps = timeline.read_text().splitlines() if timeline.exists() else []
        for s in map(json.loads, steps):
            if s["step"] == "kernel: booted" and s["pid"] not in cmdlines:
                try:
                    cmdlines[s["pid"]] = Path(f"/proc/{s['pid']}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    cmdlines[s["pid"]] = ""
        time.sleep(0.05)
    out_, err = batch.communicate(timeout=600)
    return subprocess.CompletedProcess(args, batch.returncode, out_, err), timeline, cmdlines


def _untimed_json(path: Path) -> object:
    """A key_figures.json without the time it was made (provenance's generated_at, and its stamp's)."""
    data = json.loads(path.read_text())
    assert data["provenance"].pop("generated_at") and data["provenance"]["stamp"].pop("generated_at")
    return data


@pytest.fixture(scope="module")
def both_kernels(demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("forkk")
    mark = f"ucj-forkk-{uuid.uuid4().hex}"
    forked = _batch(demo_dir, out, "forked", mark, "on")
    left = _left(mark)
    launched = _batch(demo_dir, out, "launched", mark + "-off", "off")
    return out, forked, launched, left


@pytest.mark.slow
def test_a_batch_forks_each_kernel_from_its_worker_and_leaves_nothing_running(both_kernels):
    out, (run, timeline, cmdlines), (off, off_timeline, off_cmdlines), left = both_kernels
    assert run.returncode == 0, run.stderr[-3000:]
    assert left == []
    steps = [json.loads(line) for line in timeline.read_text().splitlines()]
    workers = {s["pid"] for s in steps if s["step"] == "worker: started"}
    kernels = {s["pid"]: s["ppid"] for s in steps if s["step"] == "kernel: booted"}
    assert len(workers) == 2 and set(kernels.values()) == workers  # each kernel is its worker's child
    assert set(cmdlines) == set(kernels)
    assert all(c and "ipykernel_launcher" not in c for c in cmdlines.values()), cmdlines  # forked, not launched
    # UCJ_FORK_KERNEL=off: today's launched kernels, children of their workers too
    assert off.returncode == 0, off.stderr[-3000:]
    off_steps = [json.loads(line) for line in off_timeline.read_text().splitlines()]
    off_workers = {s["pid"] for s in off_steps if s["step"] == "worker: started"}
    assert {s["ppid"] for s in off_steps if s["step"] == "kernel: booted"} == off_workers
    assert len(off_cmdlines) == 2 and all("ipykernel_launcher" in c for c in off_cmdlines.values()), off_cmdlines


@pytest.mark.slow
def test_forked_kernels_make_the_launched_kernels_and_plain_papermills_reports(both_kernels, demo_dir):
    out, (forked, _, _), (launched, _, _), _ = both_kernels
    assert forked.returncode == 0 and launched.returncode == 0
    made = json.loads((out / "forked" / "run.json").read_text())["reports"]
    assert [e["status"] for e in made] == ["ok"] * 3
    for e in made:
        a, b = out / "forked" / e["slug"], out / "launched" / e["slug"]
        for name in PNGS:
            assert (a / name).read_bytes() == (b / name).read_bytes(), (e["slug"], name)
        assert _sheets(a / "tables.xlsx") == _sheets(b / "tables.xlsx"), e["slug"]
        assert _untimed((a / "report.html").read_text()) == _untimed((b / "report.html").read_text()), e["slug"]
        assert _untimed_json(a / "key_figures.json") == _untimed_json(b / "key_figures.json"), e["slug"]
    entry = next(e for e in made if e["slug"].endswith("boalemo"))
    code = json.loads((out / "forked" / entry["slug"] / "key_figures.json").read_text())["district_code"]
    plain = plain_papermill_report(code, demo_dir, out / "plain")
    for name in PNGS:
        assert (out / "forked" / entry["slug"] / name).read_bytes() == (plain / name).read_bytes(), name
    assert _sheets(out / "forked" / entry["slug"] / "tables.xlsx") == _sheets(plain / "tables.xlsx")
    # and each entry records the proportional memory of worker, kernel and server
    assert all(e["worker_pss_mb"] > 0 and e["kernel_pss_mb"] > 0 and e["server_pss_mb"] > 0 for e in made)


@pytest.mark.slow
def test_kill_9_of_a_batch_with_forked_kernels_and_of_one_worker(demo_dir, tmp_path):
    """kill -9 of one worker once both kernels booted takes its kernel with it (the batch goes on); kill -9 of the
    batch then leaves no server, worker or kernel."""
    mark = f"ucj-forkk-kill-{uuid.uuid4().hex}"
    timeline = tmp_path / "timeline.jsonl"
    args = [str(BIN / "ucj"), "reports", "--data-dir", str(demo_dir), "--out", str(tmp_path), "--run", "k",
            "--workers", "2", "--no-progress", *[a for d in ["Banggai", *THREE] for a in ("--district", d)]]
    env = os.environ | {"UCJ_TEST_MARK": mark, "UCJ_TIMELINE": str(timeline)}
    env.pop(kernel_fork.FORK_KERNEL_ENV, None)
    batch = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kernels: dict[int, int] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and batch.poll() is None and len(kernels) < 2:
        steps = [json.loads(s) for s in (timeline.read_text().splitlines() if timeline.exists() else [])]
        kernels = {s["pid"]: s["ppid"] for s in steps if s["step"] == "kernel: booted"}
        time.sleep(0.05)
    assert batch.poll() is None, "the batch ended before its kernels had booted"
    why = [s["step"] for s in steps if s["step"].startswith(("kernel: forked", "kernel: launched"))]
    assert why == ["kernel: forked"] * 2, why  # the timeline says which, and why a kernel was not forked
    assert all("ipykernel_launcher" not in Path(f"/proc/{k}/cmdline").read_text() for k in kernels)  # forked
    kernel, worker = next(iter(kernels.items()))
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and kernel in _marked(mark):
        time.sleep(0.1)
    assert kernel not in _marked(mark)  # the kernel died with its worker
    batch.kill()
    batch.wait()
    assert _left(mark) == []


@pytest.mark.slow
def test_in_english_too_forked_kernels_make_the_launched_kernels_reports(demo_dir, tmp_path):
    mark = f"ucj-forkk-en-{uuid.uuid4().hex}"
    forked, _, cmdlines = _batch(demo_dir, tmp_path, "forked", mark, "on", lang="en")
    launched, _, _ = _batch(demo_dir, tmp_path, "launched", mark + "-off", "off", lang="en")
    assert forked.returncode == 0 and launched.returncode == 0, (forked.stderr[-2000:], launched.stderr[-2000:])
    assert cmdlines and all("ipykernel_launcher" not in c for c in cmdlines.values())
    made = json.loads((tmp_path / "forked" / "run.json").read_text())["reports"]
    assert [e["status"] for e in made] == ["ok"] * 3
    for e in made:
        a, b = tmp_path / "forked" / e["slug"], tmp_path / "launched" / e["slug"]
        assert "<html lang=\"en\">" in (a / "report.html").read_text()  # the English page
        for name in PNGS:
            assert (a / name).read_bytes() == (b / name).read_bytes(), (e["slug"], name)
        assert _sheets(a / "tables.xlsx") == _sheets(b / "tables.xlsx"), e["slug"]
        assert _untimed((a / "report.html").read_text()) == _untimed((b / "report.html").read_text()), e["slug"]
        assert _untimed_json(a / "key_figures.json") == _untimed_json(b / "key_figures.json"), e["slug"]
