"""Helpers kept at the peer's import paths."""
