"""ucj: the Universal Coverage Jamsostek research workbook."""

__version__ = "0.1.0"


def load(*data_dirs, registry=None):  # type: ignore[no-untyped-def]
    """Load and validate the tidy tables (see ucj.data.dataset.load)."""
    from ucj.data.dataset import load as _load

    return _load(*data_dirs, registry=registry)


def load_stored(*data_dirs, registry=None):  # type: ignore[no-untyped-def]
    """`load`, through the store of derived data: the same tables, validated once per dataset
    (see ucj.data.dataset.load_stored and ucj.data.store)."""
    from ucj.data.dataset import load_stored as _load_stored

    return _load_stored(*data_dirs, registry=registry)
