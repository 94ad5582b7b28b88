"""ucj: the Universal Coverage Jamsostek research workbook."""

__version__ = "0.1.0"


def load(*data_dirs, validate_tables: bool = True, trust_cache: bool = True):  # type: ignore[no-untyped-def]
    """Load the tidy tables (see ucj.dataset.load)."""
    from ucj.dataset import load as _load

    return _load(*data_dirs, validate_tables=validate_tables, trust_cache=trust_cache)
