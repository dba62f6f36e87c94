"""A fake Pinterest API v5 (the endpoints socialaudit.sync.pinterest calls), answering as documented.

Data: the business account ``acmehome`` (the token's owner) with ``pins`` pins of its own on
three boards, one every hour from a fixed date (so two fakes hold the same data); every fifth
pin is saved from another pin (``parent_pin_id``), media types vary.  ``GET /v5/user_account``
answers the ``Account`` object; ``GET /v5/pins`` answers ``{"items": [...], "bookmark": ...}``
pages, newest first, ``page_size`` 1-250 (default 25), ``bookmark`` an opaque cursor that is
``null`` on the last page, ``pin_metrics=true`` adding ``pin_metrics`` (90d and lifetime).
Errors are ``{"code": <int>, "message": "..."}`` bodies: 401 code 2 "Authentication failed."
for a wrong or expired token.  Every answer carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (seconds until the window resets).
See https://developers.pinterest.com/docs/api/v5/pins-list and
https://github.com/pinterest/api-description.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sync.fakeserver import FakeApi, Reply, Request

BRAND = "acmehome"
ACCOUNT_ID = "549755885175"
BOARDS = ("987162378512839145", "987162378512839146", "987162378512839147")
START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
_MEDIA = ("image", "image", "video", "multiple_images", "image", "multiple_mixed")


def _pid(n: int) -> str:
    return str(1_080_863_717_373_800_000 + n)


def _images(n: int) -> dict:
    key = f"{n:032x}"
    return {size: {"width": w, "height": h, "url": f"https://i.pinimg.com/{size}/{key[:2]}/{key[2:4]}/{key}.jpg"}
            for size, w, h in (("150x150", 150, 150), ("400x300", 400, 300), ("600x", 600, 900),
                               ("1200x", 1200, 1800))}


class FakePinterest(FakeApi):
    token = "pina_AMAWVFIWAAAAAGYAAAAAAATEST0123456789"

    def __init__(self, pins: int = 45) -> None:
        super().__init__()
        self.account = {"account_type": "BUSINESS", "id": ACCOUNT_ID, "username": BRAND,
                        "profile_image": "https://i.pinimg.com/600x600_R/42/f5/36/42f5365d8a0b2c1e.jpg",
                        "website_url": "https://www.acme-home.example", "about": "Small appliances, big ideas.",
                        "business_name": "Acme Home", "board_count": len(BOARDS), "pin_count": 0,
                        "follower_count": 20931, "following_count": 87, "monthly_views": 1843220}
        self.pins: list[dict] = []
        for _ in range(pins):
            self.add_pin()

    def add_pin(self, title: str | None = None) -> dict:
        """A new pin, newer than every other (what appears between two syncs)."""
        n = len(self.pins) + 1
        media = _MEDIA[n % len(_MEDIA)]
        pin = {"id": _pid(n), "created_at": (START + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%S"),
               "link": f"https://www.acme-home.example/p/{n}", "title": title or f"Acme kettle tip {n}",
               "description": f"Descale in {n % 9 + 1} minutes. #AcmeHome", "dominant_color": "#6E7874",
               "alt_text": f"Kettle photo {n}", "creative_type": "VIDEO" if media == "video" else "REGULAR",
               "board_id": BOARDS[n % len(BOARDS)], "board_section_id": None, "board_owner": {"username": BRAND},
               "is_owner": True, "media": {"media_type": media, "images": _images(n)},
               "parent_pin_id": _pid(900_000 + n) if n % 5 == 0 else None, "is_standard": True,
               "has_been_promoted": False, "note": "internal: spring campaign",
               "pin_metrics": {"90d": {"pin_click": n, "impression": 40 * n, "clickthrough": n % 4},
                               "lifetime_metrics": {"pin_click": n, "impression": 50 * n, "clickthrough": n % 5,
                                                    "reaction": n % 13, "comment": n % 3}}}
        self.pins.append(pin)
        self.account["pin_count"] = len(self.pins)
        return pin

    # -- the API ------------------------------------------------------------------------
    def refuse(self, request: Request) -> Reply:
        return Reply(401, {"code": 2, "message": "Authentication failed."}, self._limits())

    def _limits(self) -> dict[str, str]:
        used = len(self.requests)
        return {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": str(max(1, 1000 - used)),
                "X-RateLimit-Reset": "60"}

    def route(self, request: Request) -> Reply:
        headers = self._limits()
        if request.path == "/v5/user_account":
            return Reply(200, dict(self.account), headers)
        if request.path == "/v5/pins":
            return self._pins_page(request, headers)
        return Reply(404, {"code": 404, "message": "Not found."}, headers)

    def _pins_page(self, request: Request, headers: dict) -> Reply:
        raw_size = request.arg("page_size") or "25"
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= 250:
            return Reply(400, {"code": 1, "message": f"page_size: {raw_size} is greater than the maximum of 250 "
                               "or less than the minimum of 1"}, headers)
        size = int(raw_size)
        newest_first = sorted(self.pins, key=lambda p: (p["created_at"], p["id"]), reverse=True)
        start = 0
        bookmark = request.arg("bookmark")
        if bookmark:
            try:
                after = base64.urlsafe_b64decode(bookmark.encode()).decode()
                start = next(i for i, p in enumerate(newest_first) if p["id"] == after) + 1
            except (ValueError, StopIteration):
                return Reply(400, {"code": 1, "message": "Invalid bookmark."}, headers)
        chunk = newest_first[start:start + size]
        with_metrics = request.arg("pin_metrics") == "true"
        items = [p if with_metrics else {k: v for k, v in p.items() if k != "pin_metrics"} for p in chunk]
        following = (base64.urlsafe_b64encode(chunk[-1]["id"].encode()).decode()
                     if chunk and start + size < len(newest_first) else None)
        return Reply(200, {"items": items, "bookmark": following}, headers)
