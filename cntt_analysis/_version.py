"""The package version, a leaf every layer may record (manifests, report keys)."""

__version__ = "0.1.0"
