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
    # kernels start while their page is being made: pages still being made count too (a kernel already
    # listed for one is counted twice, which admits fewer, never more); one event loop, so no lock
    if len(handler.kernel_manager.list_kernel_ids()) + _PENDING[0] >= cap:  # type: ignore[attr-defined]
        raise HTTPError(503, f"{cap} explorer pages are open already; close one, or wait a few minutes")
    _PENDING[0] += 1
    finish = handler.on_finish  # type: ignore[attr-defined]

    def on_finish() -> None:
        _PENDING[0] -= 1
        finish()

    handler.on_finish = on_finish  # type: ignore[attr-defined]
    return app_notebook(notebook)


_PENDING = [0]  # pages admitted whose request has not finished yet


def app_notebook(notebook: object) -> object:
    """The notebook as the app serves it: titled in the server's language (the browser tab), without the
    cells tagged notebook-only (the JupyterLab instructions)."""
    from ucj.presentation.explore import default_lang
    from ucj.presentation.i18n import t

    if notebook is None:
        return None
    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if NOTEBOOK_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    nb.metadata["title"] = t("explorer_title", default_lang())
    return nb


def _identity_provider() -> type:
    """jupyter_server's token identity provider, whose login page says 403 instead of asking for the token:
    the address `ucj explore` printed is the way in."""
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from tornado import web

    class TokenRequired(web.RequestHandler):
        def get(self) -> None:
            from ucj.presentation.explore import default_lang
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
    from ucj.presentation.explore import default_lang
    from voila.app import Voila

    c = Config()
    c.Voila.token = token
    c.Voila.identity_provider_class = _identity_provider()
    c.IdentityProvider.cookie_options = {"samesite": "Strict"}
    c.VoilaConfiguration.template = TEMPLATE
    c.VoilaConfiguration.prelaunch_hook = gate
    c.HTMLExporter.language_code = default_lang()  # <html lang=...>
    c.MappingKernelManager.cull_idle_timeout = idle
    c.MappingKernelManager.cull_interval = max(1, min(60, idle // 2))
    c.MappingKernelManager.cull_connected = False  # an open page keeps its kernel
    Voila.launch_instance(rest, config=c)


if __name__ == "__main__":  # python -m ucj.runs.explore_server PARENT_PID IDLE_S VOILA_ARGS...
    main(sys.argv[1:])
