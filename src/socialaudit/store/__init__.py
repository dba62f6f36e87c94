"""The store: a DuckDB file holding posts, accounts, companies, quarantine and the import log."""

from .connection import DEFAULT_DB, Store
from .importer import ImportReport, import_file
from .registry_store import save_registry

__all__ = ["DEFAULT_DB", "ImportReport", "Store", "import_file", "save_registry"]
