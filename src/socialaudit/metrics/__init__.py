"""Audit metrics: the operational definitions computed over the store."""
