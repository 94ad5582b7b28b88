"""The explorer's server: Voilà serving the explorer notebook, closed to strangers.

`ucj explore` starts this module as its own process. A page opens only with the token `ucj explore`
printed in its address: jupyter_server's identity provider checks it (Voilà's `Voila.token`) and keeps a
signed login cookie (SameSite=Strict, so another web site cannot use it), and the page is then loaded again
without the token in its address; a request without token or cookie is sent to the login page, which here
answers 403, and no kernel starts. At most `max_kernels` kernels run at once
(503 beyond, checked in Voilà's prelaunch hook before the kernel starts); a kernel no browser has used for
`idle_timeout` seconds is shut down by jupyter_server's culler (a closed tab, a request that never
connected); and the server dies with `ucj explore`, even when that is killed with -9 or its terminal is
closed (`ucj.runs.engine.die_with_parent`, with SIGTERM so Voilà shuts its kernels down; a kernel also
stops by itself when its server is gone, ipykernel's parent poller).

One kernel starts with the server, before any page is asked for (the warm kernel, issue 21's first paint):
it imports the explorer, reads the data through the store and computes the first district's figures while
the address is being opened, so the first page only builds its widgets. It is one of the server's kernels
from its start: counted toward the cap (a page takes it instead of starting another), bound to a page only
by the gate (after the token), shut down when unused like any other. Voilà's own pre-heated kernels are
not used: Voilà refuses them with a prelaunch hook, renders their page before any request (so without the
gate's notebook), and refills its pool past any cap. `UCJ_EXPLORE_WARM=0` turns the warm kernel off.

The page is served with the `ucj` Voilà template (ucj/resources/jupyter/voila/templates/ucj): the lab
template without its font files from a CDN, so opening the explorer sends no request off this machine.
"""

from __future__ import annotations

import copy
import http.client
import os
import signal
import sys
import time

TOKEN_ENV = "UCJ_EXPLORE_TOKEN"
MAX_KERNELS_ENV = "UCJ_EXPLORE_MAX_KERNELS"
WARM_ENV = "UCJ_EXPLORE_WARM"  # "0": no warm kernel (each page starts its own, as before issue 21)
STARTUP_TIMEOUT_ENV = "UCJ_EXPLORE_STARTUP_TIMEOUT"  # seconds a page waits for its kernel to answer (default 180)
STARTUP_TIMEOUT = 180
PRELOAD_WAIT = 600  # seconds a page waits for the warm kernel's preload before using it anyway
TEMPLATE = "ucj"
NOTEBOOK_ONLY_TAG = "notebook-only"  # cells for JupyterLab users (how to run the notebook), not the app


def gate(handler: object, notebook: object = None, cwd: str | None = None) -> object:
    """Voilà's prelaunch hook, after the token was checked: refuse a page beyond the kernel cap before its
    kernel starts, and return the notebook as the app shows it (its title in the page's language, without
    the cells meant for JupyterLab)."""
    from urllib.parse import parse_qsl, urlencode

    from tornado.web import Finish, HTTPError

    if handler.get_query_argument("token", None) is not None:  # type: ignore[attr-defined]
        # the token was accepted and the login cookie set: the page again without the token in its address,
        # so it stays out of the browser's history and of the kernel's environment (Voila passes it the URL)
        rest = [(k, v) for k, v in parse_qsl(handler.request.query, keep_blank_values=True)  # type: ignore[attr-defined]
                if k != "token"]
        handler.redirect(handler.base_url + (f"?{urlencode(rest)}" if rest else ""))  # type: ignore[attr-defined]
        raise Finish()
    cap = int(os.environ.get(MAX_KERNELS_ENV, "4"))
    km = handler.kernel_manager  # type: ignore[attr-defined]
    reserve = getattr(km, "reserve_warm", None)
    # the warm kernel (started with the server, already counted) serves the first page without starting
    # another; else kernels start while their page is being made: pages still being made count too, and
    # so does the warm kernel while it starts (a kernel already listed for a page is counted twice, which
    # admits fewer, never more); one event loop, so no lock
    if not (reserve is not None and reserve(handler)):
        starting = km.warm_starting() if hasattr(km, "warm_starting") else 0
        if len(km.list_kernel_ids()) + starting + _PENDING[0] >= cap:
            raise HTTPError(503, f"{cap} explorer pages are open already; close one, or wait a few minutes")
    _PENDING[0] += 1
    finish = handler.on_finish  # type: ignore[attr-defined]

    def on_finish() -> None:
        _PENDING[0] -= 1
        if hasattr(km, "release_warm"):
            km.release_warm(handler)  # a page that ended before its kernel started leaves the warm one
        finish()

    handler.on_finish = on_finish  # type: ignore[attr-defined]
    return app_notebook(notebook)


_PENDING = [0]  # pages admitted whose request has not finished yet


def app_notebook(notebook: object) -> object:
    """The notebook as the app serves it: titled in the server's language (the browser tab), without the
    cells tagged notebook-only (the JupyterLab instructions)."""
    from ucj.presentation.explore_env import default_lang
    from ucj.presentation.i18n import t

    if notebook is None:
        return None
    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if NOTEBOOK_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.metadata["title"] = t("explorer_title", default_lang())
    return nb


PRELOAD = "from ucj.presentation.explore import preload as _ucj_preload\n_ucj_preload()\ndel _ucj_preload"


def _warm_kernel_manager() -> type:
    """jupyter_server's kernel manager with one warm kernel: started with the server, before any page is
    asked for, it imports the explorer, reads the data (through the store) and computes the first
    district's figures (`ucj.presentation.explore.preload`), so the first page only builds its widgets.

    It is an ordinary kernel of this manager from its start: listed, counted toward the cap, culled when
    unused for the idle timeout, shut down with the server. It is bound to a page only through `gate`,
    after the token was checked (a request without the token never reaches the gate, so it can neither
    take the warm kernel nor start one). One warm kernel per server, never refilled: later pages start
    their kernel as before. The warm kernel's environment is the server's, which holds no token."""
    import asyncio

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    class WarmKernelManager(AsyncMappingKernelManager):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(**kwargs)
            self._warm: asyncio.Task | None = None  # the warm kernel's id, once started
            self._preloaded = asyncio.Event()  # set once the warm kernel's preload has ended (or cannot run)
            self._reserved: list[object] = []  # pages admitted to the warm kernel, not yet given it
            if os.environ.get(WARM_ENV, "1") != "0":
                self._warm = asyncio.get_event_loop().create_task(self._start_warm())

        async def _start_warm(self) -> str:
            app = self.parent
            nb = os.path.relpath(app.notebook_path, app.root_dir)
            env = dict(os.environ, VOILA_PREHEAT="False", VOILA_BASE_URL=app.base_url,
                       VOILA_SERVER_URL=app.server_url or app.base_url, VOILA_APP_PORT=str(app.port))
            kernel_id = await super().start_kernel(kernel_name="python3", path=os.path.dirname(nb), env=env)
            from jupyter_client.session import Session

            km = self.get_kernel(kernel_id)
            # The preload's own session: a client made with the manager's session shares its ZeroMQ identity
            # with the page's executor (nbclient's km.client()), and the kernel's shell socket routes each reply
            # to the last connection holding that identity (ipykernel's router handover); a reply of the
            # page's then went to the preload's connection, and the page waited until the idle culler shut the
            # kernel down ("Kernel died while waiting for execute reply", twice in a full run, 657 s after start)
            client = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=120)
                msg_id = client.execute(PRELOAD, silent=True, store_history=False)
            except Exception:  # noqa: BLE001 - a kernel that cannot warm up is a plain kernel
                client.stop_channels()
                self._preloaded.set()
                return kernel_id
            asyncio.get_event_loop().create_task(self._close_when_done(client, msg_id))
            return kernel_id

        async def _close_when_done(self, client: object, msg_id: str) -> None:
            try:
                while True:
                    reply = await client.get_shell_msg(timeout=600)  # type: ignore[attr-defined]
                    if reply["parent_header"].get("msg_id") == msg_id:
                        break
            except Exception:  # noqa: BLE001, S110 - the kernel went away or took too long
                pass
            finally:
                client.stop_channels()  # type: ignore[attr-defined]
                self._preloaded.set()

        def _warm_alive(self) -> bool:
            if self._warm is None:
                return False
            if self._warm.done() and (self._warm.cancelled() or self._warm.exception() is not None
                                      or self._warm.result() not in self):  # culled or failed
                self._warm = None
                return False
            return True

        def warm_starting(self) -> int:
            """1 while the warm kernel starts (not listed yet, but already one of the cap's kernels)."""
            return int(self._warm is not None and not self._warm.done())

        def reserve_warm(self, handler: object) -> bool:
            """Give the warm kernel to the page `handler` makes (its token checked); False when there is
            none or another page has it."""
            if self._reserved or not self._warm_alive():
                return False
            self._reserved.append(handler)
            return True

        def release_warm(self, handler: object) -> None:
            if handler in self._reserved:
                self._reserved.remove(handler)

        async def start_kernel(self, *args: object, **kwargs: object) -> str:
            # Voila asks for the page's kernel right after the gate, in the same turn of the event loop:
            # the first reservation is this page's
            if self._reserved and self._warm is not None:
                self._reserved.pop(0)
                task, self._warm = self._warm, None
                try:
                    kernel_id = await task
                except Exception:  # noqa: BLE001 - no warm kernel after all: a new one, as before
                    kernel_id = None
                if kernel_id is not None and kernel_id in self:
                    # The page's executor asks the kernel whether it is ready and, after its startup timeout,
                    # shuts it down; a kernel still running the preload answers only once the preload ends (one
                    # shell message at a time), which under a loaded machine took longer than nbclient's 60 s:
                    # the page then answered 200 with its kernel shut down (the explorer-server flake). So the
                    # page takes the warm kernel once the preload has ended.
                    try:
                        await asyncio.wait_for(self._preloaded.wait(), PRELOAD_WAIT)
                    except asyncio.TimeoutError:
                        self.log.warning("The warm kernel's preload has not ended after %s s", PRELOAD_WAIT)
                if kernel_id is not None and kernel_id in self:
                    # a page taking the kernel is activity: the idle culler counts from here, not from the
                    # warm kernel's start (a preload of over 10 minutes on a loaded machine left it culled as
                    # the page took it, "657 seconds of inactivity", full test run 2026-12-05)
                    from datetime import datetime, timezone

                    # an aware UTC time, as jupyter_server sets last_activity itself
                    self.get_kernel(kernel_id).last_activity = datetime.now(timezone.utc)
                    self.log.info("Page uses the warm kernel %s", kernel_id)
                    return kernel_id
            return await super().start_kernel(*args, **kwargs)

    return WarmKernelManager


def _identity_provider() -> type:
    """jupyter_server's token identity provider, whose login page says 403 instead of asking for the token:
    the address `ucj explore` printed is the way in."""
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from tornado import web

    class TokenRequired(web.RequestHandler):
        def get(self) -> None:
            from ucj.presentation.explore_env import default_lang
            from ucj.presentation.i18n import t

            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(t("explore_token_required", default_lang()) + "\n")

        post = get

    class ExplorerIdentity(PasswordIdentityProvider):
        def get_handlers(self) -> list[tuple[str, object]]:
            return [(r"/login", TokenRequired)]

    return ExplorerIdentity


def template_root() -> str:
    """The folder added to JUPYTER_PATH so Voilà finds the `ucj` template (voila/templates/ucj)."""
    from ucj.core.config import resource

    return str(resource("jupyter"))


def wait_until_answering(host: str, port: int, server: object, timeout: float = 120) -> bool:
    """Wait until the server answers HTTP on host:port (its login page, which starts no kernel); False if
    the server process ended or `timeout` passed first."""
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:  # type: ignore[attr-defined]
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", "/login")
            conn.getresponse().read()
            return True
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    return False


def copy_log(stream: object, path: object, token: str) -> object:
    """Copy the server's log (its stderr) line by line to `path`, appended, readable by its owner only, with the
    token masked wherever it appears, so that a page that never opens leaves a trace (`ucj explore --log`).
    Runs in a daemon thread until the server closes the stream; returns the thread."""
    import threading

    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # type: ignore[call-overload]

    def copy() -> None:
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as out:
            for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
                out.write(raw.decode("utf-8", "replace").replace(token, "<token>"))
                out.flush()

    thread = threading.Thread(target=copy, name="ucj-explore-log", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> None:
    """Run Voilà with the token, the gate, idle culling and the cap; argv: parent pid, idle seconds, then
    Voilà's arguments. The token comes in $UCJ_EXPLORE_TOKEN (not on the command line, which other users of
    the machine can read) and is removed from the environment the kernels inherit."""
    from traitlets.config import Config

    from ucj.runs.engine import die_with_parent

    parent, idle, rest = int(argv[0]), int(argv[1]), argv[2:]
    die_with_parent(parent, signal.SIGTERM)  # SIGTERM: Voilà shuts its kernels down on the way out
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        raise SystemExit("no token: start the explorer with `ucj explore`")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (template_root(), os.environ.get("JUPYTER_PATH")) if p)
    from ucj.presentation.explore_env import default_lang
    from voila.app import Voila

    c = Config()
    c.Voila.token = token
    c.Voila.identity_provider_class = _identity_provider()
    c.IdentityProvider.cookie_options = {"samesite": "Strict"}
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.prelaunch_hook = gate
    c.VoilaConfiguration.multi_kernel_manager_class = _warm_kernel_manager()
    # how long a page's executor waits for its kernel to answer before shutting it down (nbclient's 60 s by
    # default): a cold kernel on a loaded machine can take longer, and a page then ends with no kernel
    c.VoilaExecutor.startup_timeout = int(os.environ.get(STARTUP_TIMEOUT_ENV, STARTUP_TIMEOUT))
    c.HTMLExporter.language_code = default_lang()  # <html lang=...>
    # each line of the log with its time, so a slow page can be read from it
    c.Voila.log_format = "[%(name)s %(asctime)s]%(highlevel)s %(message)s"
    c.Voila.log_datefmt = "%H:%M:%S"
    c.MappingKernelManager.cull_idle_timeout = idle
    c.MappingKernelManager.cull_interval = max(1, min(60, idle // 2))
    c.MappingKernelManager.cull_connected = False  # an open page keeps its kernel
    Voila.launch_instance(rest, config=c)


if __name__ == "__main__":  # python -m ucj.runs.explore_server PARENT_PID IDLE_S VOILA_ARGS...
    main(sys.argv[1:])
