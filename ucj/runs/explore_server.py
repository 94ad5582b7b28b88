"""The explorer's server: Voilà serving the explorer notebook, closed to strangers.

`ucj explore` starts this module as its own process. A page opens only with the token `ucj explore`
printed in its address (the token is checked before any kernel starts: a request without it, even a blind
one from another web site, gets 403 and starts nothing); at most `max_kernels` kernels run at once (503
beyond); a kernel no browser has used for `idle_timeout` seconds is shut down (a closed tab, a request
that never connected); and the server dies with `ucj explore`, even when that is killed with -9 or its
terminal is closed, shutting its kernels down.
"""

from __future__ import annotations

import hmac
import os
import signal
import sys

TOKEN_ENV = "UCJ_EXPLORE_TOKEN"
MAX_KERNELS_ENV = "UCJ_EXPLORE_MAX_KERNELS"
TOKEN_COOKIE = "ucj-explore-token"


def gate(handler: object, notebook: object = None, cwd: str | None = None) -> None:
    """Voilà's prelaunch hook: refuse a page without the token, or beyond the kernel cap, before its kernel."""
    from tornado.web import HTTPError

    token = os.environ.get(TOKEN_ENV, "")
    given = handler.get_argument("token", "") or handler.get_cookie(TOKEN_COOKIE, "")  # type: ignore[attr-defined]
    if not token or not hmac.compare_digest(str(given), token):
        raise HTTPError(403, "the explorer opens only with its token: use the address `ucj explore` printed")
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
    handler.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")  # type: ignore[attr-defined]
    return None


_PENDING = [0]  # pages admitted whose request has not finished yet


def main(argv: list[str]) -> None:
    """Run Voilà with the gate, idle culling and the cap; argv: parent pid, idle seconds, then Voilà's arguments."""
    from traitlets.config import Config

    from ucj.runs.engine import die_with_parent

    parent, idle, rest = int(argv[0]), int(argv[1]), argv[2:]
    die_with_parent(parent, signal.SIGTERM)  # SIGTERM: Voilà shuts its kernels down on the way out
    from voila.app import Voila

    c = Config()
    c.VoilaConfiguration.prelaunch_hook = gate
    c.MappingKernelManager.cull_idle_timeout = idle
    c.MappingKernelManager.cull_interval = max(1, min(60, idle // 2))
    c.MappingKernelManager.cull_connected = False  # an open page keeps its kernel
    Voila.launch_instance(rest, config=c)


if __name__ == "__main__":  # python -m ucj.runs.explore_server PARENT_PID IDLE_S VOILA_ARGS...
    main(sys.argv[1:])
