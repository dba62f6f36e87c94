"""Placeholder: the linkedin parser is being written (see issue 3)."""

from __future__ import annotations

from .base import JsonPayloadFormat, PayloadResult, Where


class LinkedInFormat(JsonPayloadFormat):
    name = "linkedin"
    title = "linkedin (not yet implemented)"

    def looks_like(self, value: dict) -> bool:
        return False

    def parse_payload(self, value: dict, where: Where) -> PayloadResult:
        raise NotImplementedError("linkedin parser not written yet")
