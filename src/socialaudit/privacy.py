"""Pseudonymising consumer handles with a keyed hash.

A consumer's account id and handle become ``u_`` + 16 hex digits of
HMAC-SHA256(store key, lower-cased handle).  The key is generated per store, so the same
consumer gets the same pseudonym on every import into that store (threads, repeat
contacts, @-mentions and influencer matching still work) but a different one in another
store, and a pseudonym cannot be reversed by hashing candidate handles without the key.
The channel is not part of the hash, so that the same handle on two channels can still be
linked to one identity.  Brand
accounts are never pseudonymised: they are the subject of the audit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX = "u_"


def new_key() -> str:
    return secrets.token_hex(32)


class Pseudonymiser:
    """Maps a raw handle or id to a stable pseudonym; caches because consumers repeat."""

    __slots__ = ("_key", "_cache")

    def __init__(self, key: str):
        self._key = bytes.fromhex(key)
        self._cache: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        found = self._cache.get(value)
        if found is None:
            found = self._compute(value)
        return found

    def many(self, values: list[str]) -> list[str]:
        """Pseudonyms of many values (the import's hot path: one dict lookup each)."""
        get = self._cache.get
        return [get(v) or self._compute(v) for v in values]

    def _compute(self, value: str) -> str:
        digest = hmac.new(self._key, value.lower().encode("utf-8", "surrogatepass"), hashlib.sha256)
        found = PREFIX + digest.hexdigest()[:16]
        if len(self._cache) > 2_000_000:
            self._cache.clear()
        self._cache[value] = found
        return found
