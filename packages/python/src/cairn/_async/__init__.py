"""The async client. Hand-written; `_sync/` is generated from it by scripts/unasync.py."""
