"""ucj: the Universal Coverage Jamsostek research workbook."""

__version__ = "0.1.0"


def load(*data_dirs, registry=None):  # type: ignore[no-untyped-def]
    """Load and validate the tidy tables (see ucj.data.dataset.load)."""
    from ucj.data.dataset import load as _load

    return _load(*data_dirs, registry=registry)
