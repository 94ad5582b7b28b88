"""axe-core in a real page, for the printing and offline tests (not a test file itself).

axe-core 4.14.1 ships in tests/vendor/axe-core (axe.min.js and its licence, MPL-2.0, from the npm
package `axe-core`, unchanged), so the check runs offline. `serious_violations` injects it into a
playwright page and returns the critical and serious violations, each with the elements it found."""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")

_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Every axe violation on the page as it stands (id, impact, help, the elements)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN)


def serious_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """The critical and serious axe violations on the page."""
    return [v for v in violations(page) if v["impact"] in SERIOUS]
