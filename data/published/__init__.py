"""Published facts (seed articles, domain notes, BPS extracts). They ship inside the installed package
as `ucj.published` (see pyproject.toml); this folder is their only source."""
