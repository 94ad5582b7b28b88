"""The report notebooks. They ship inside the installed package as `ucj.notebooks` (see pyproject.toml),
so `ucj report` finds them from any folder; this folder is their only source."""
