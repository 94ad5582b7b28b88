"""Reasons as codes: why a figure is missing or a model was (not) used, for the presentation layer to
put into words from its catalogue (ucj/resources/locale/*.po, one entry per code).

A reason is stored as text in a fixed grammar, `code` or `code(name=value, ...)`, so it travels in tables,
key_figures.json and run.json as before and `ucj verify` compares it exactly; it is never a sentence.
Several reasons are joined by "; ".
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^(?P<code>[a-z][a-z0-9_]*)(?:\((?P<params>[^()]*)\))?$")


def reason(code: str, **params: object) -> str:
    """`reason("reason_too_short", n=12, need=24)` -> "reason_too_short(n=12, need=24)"."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
        raise ValueError(f"a reason code is snake_case: {code!r}")
    if not params:
        return code
    return f"{code}({', '.join(f'{k}={v}' for k, v in params.items())})"


def parse(text: str) -> list[tuple[str, dict[str, str]]]:
    """The codes and parameters of a reason text ("; "-joined); a part that is not a code gives ("", {})."""
    out = []
    for part in str(text).split("; "):
        m = _CODE.match(part.strip())
        if not m:
            out.append(("", {}))
            continue
        params = {}
        for item in filter(None, (x.strip() for x in (m.group("params") or "").split(","))):
            k, _, v = item.partition("=")
            params[k.strip()] = v.strip()
        out.append((m.group("code"), params))
    return out


def is_code(text: str) -> bool:
    """True when every "; "-joined part of `text` is a reason code."""
    return bool(str(text).strip()) and all(code for code, _ in parse(text))
