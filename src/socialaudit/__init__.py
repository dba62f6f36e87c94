"""socialaudit: audit how companies engage their consumers on social media.

The library is organised along the pipeline: :mod:`socialaudit.ingest` (one module per
source format) -> :mod:`socialaudit.store` (the DuckDB store) -> enrichment -> metrics ->
reports.  The command line (:mod:`socialaudit.cli`) is a thin layer over it.
"""

__version__ = "0.1.0"
