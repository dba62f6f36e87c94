"""The JSON API's request and response models: they make up the OpenAPI spec at /openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..loop.inbox import STATUSES
from ..loop.profile import DEPARTMENTS
from ..metrics.findings import Finding as _Finding
from ..store.overview import StoreOverview as _StoreOverview

Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Scalar = float | int | bool | str | dt.datetime | None


class Me(BaseModel):
    user_name: str
    role: str
    department: str | None
    csrf_token: str = Field(description="send it as the X-CSRF-Token header with every POST")


#: The API shows the store overview as the library computes it (a dataclass FastAPI documents as is).
StoreOverview = _StoreOverview


#: Study A's findings as the audit computes them (a dataclass FastAPI documents as is).
Finding = _Finding


class AuditInfo(BaseModel):
    computed_at: dt.datetime
    stale: bool = Field(description="true while another process writes the store: figures as of computed_at")


class Overview(BaseModel):
    store: StoreOverview
    findings: list[Finding]
    audit: AuditInfo


class CompanySummary(BaseModel):
    company_id: str
    name: str | None
    industry: str | None
    country: str | None
    engagement_score: float | None
    inbound: int | None
    actionable: int | None
    responded: int | None
    response_rate: float | None
    median_response_s: float | None
    median_business_s: float | None
    ever_responded: bool | None
    broadcast_only: bool | None
    regular_across_channels: bool | None


class CompanyDetail(BaseModel):
    company: CompanySummary
    channels: list[dict[str, Any]] = Field(description="every audit metric, per channel and for 'all'")
    inventory: dict[str, Any] | None
    reads: list[dict[str, Any]] = Field(description="read tracking per department for this company")


class Industry(BaseModel):
    industry: str
    companies: int
    mean_score: float | None
    ci_low: float | None
    ci_high: float | None
    rank: int | None
    rank_ci_low: int | None
    rank_ci_high: int | None
    rank_probabilities: list[float | None]
    study_a_rank: int | None
    note: str
    ranked: int


class Industries(BaseModel):
    level: str
    spearman: float | None
    spearman_p: float | None
    kendall: float | None
    kendall_p: float | None
    spearman_ci: list[float | None] | None
    compared: list[str]
    industries: list[Industry]


class DepartmentReads(BaseModel):
    department: str
    companies: int
    routed: int
    opened: int
    acknowledged: int
    opened_share: float | None
    median_hours_to_open: float | None
    companies_reading_regularly: int


class InboxItem(BaseModel):
    item_id: int
    company_id: str | None
    channel: str
    post_id: str
    posted_at: dt.datetime
    intent: str | None
    rules: str
    text: str | None
    first_opened: dt.datetime | None
    first_acknowledged: dt.datetime | None
    acknowledged_by: str | None


class InboxPage(BaseModel):
    department: str
    status: str
    company: str | None
    limit: int
    offset: int
    more: bool = Field(description="whether a next page exists (offset + limit)")
    items: list[InboxItem]


class Ack(BaseModel):
    item_ids: list[int] = Field(min_length=1, max_length=500)
    action: Literal["opened", "acknowledged"] = "acknowledged"


class AckResult(BaseModel):
    written: int = Field(description="new read records (repeating a read changes nothing)")


class ImportRun(BaseModel):
    import_id: int
    source: str
    format: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows_read: int | None
    imported: int | None
    updated: int | None
    skipped: int | None
    quarantined: int | None
    message: str | None


class QuarantinedRow(BaseModel):
    source: str
    line: int
    item: str
    reason: str
    format: str | None
    raw: str | None


class QuarantinePage(BaseModel):
    total: int
    limit: int
    offset: int
    rows: list[QuarantinedRow]


class UserInfo(BaseModel):
    user_name: str
    role: str
    department: str | None
    created_at: dt.datetime
    disabled: bool
