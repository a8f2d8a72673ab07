"""isoready: an ISO 9001 certification readiness portal built from an evidence register kept in YAML."""

from __future__ import annotations


def version() -> str:
    """The installed distribution's version (pyproject.toml is its one source), e.g. ``0.1.0``.

    ``0+unknown`` when isoready runs from a checkout that was never installed (no package metadata).
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _dist_version

    try:
        return _dist_version("isoready")
    except PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> str:  # ``isoready.__version__``, read from the metadata when asked for
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'isoready' has no attribute {name!r}")
