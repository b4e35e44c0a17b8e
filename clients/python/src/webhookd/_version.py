"""The SDK version, kept equal to clients/VERSION (a test checks it)."""

__version__ = "0.1.0"
