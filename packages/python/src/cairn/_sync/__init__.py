# Generated from src/cairn/_async/__init__.py by scripts/unasync.py: do not edit.
"""The sync client. Hand-written; `_sync/` is generated from it by scripts/unasync.py."""
