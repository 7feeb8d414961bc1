"""Installed package versions, recorded in run and training manifests."""

from __future__ import annotations

from importlib import metadata


def package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """``{name: version}``; None for a package that is not installed."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out
