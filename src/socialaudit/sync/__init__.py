"""Live connectors: ``socialaudit sync`` pulls brand posts, replies and consumer comments from
the platforms' APIs into the store, incrementally and resumably (see docs/sync.md)."""

from .config import SyncConfig, load_sync_config
from .engine import SyncReport, SyncRun

__all__ = ["SyncConfig", "SyncReport", "SyncRun", "load_sync_config"]
