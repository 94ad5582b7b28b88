"""User-facing errors: one exception type that carries every problem found in an input.

Each problem names the file, the row (1-based, as a spreadsheet shows it), the column and the
rule broken, so that a planner can fix the file without reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input."""

    rule: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    label: str = "column"

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"{self.label} '{self.column}'")
        text = ", ".join(where)
        shown = "" if self.value is None else f" (value: {_short(self.value)})"
        return f"{text}: {self.rule}{shown}" if text else f"{self.rule}{shown}"


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class UcjInputError(Exception):
    """Bad input: a file, a parameter or a name the workbook cannot use as given."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    @classmethod
    def one(cls, rule: str, **where: object) -> "UcjInputError":
        return cls([Problem(rule, **where)])  # type: ignore[arg-type]

    def render(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
