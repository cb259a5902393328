"""The JSON API's response shapes (pydantic), so the OpenAPI document says exactly what each route returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from regwarden.web.api_signatures import SignaturesOut

RUNNING_PER_ROW = 25
"""An image a thousand workloads run would make one row of a vulnerability's answer a megabyte."""


class ErrorOut(BaseModel):
    detail: str


class Page(BaseModel):
    total: int = Field(description="Items matching the filters, across every page.")
    limit: int
    offset: int


class SeverityCounts(BaseModel):
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    info: int = 0


class RegistryOut(BaseModel):
    name: str
    registry_id: str
    recorded_at: datetime
    profile: str
    score: float | None = Field(description="0–100: severity-weighted share of evaluated rules that pass.")
    counts: dict[str, int]
    failing: list[str] = Field(description="Rule ids that fail (unsuppressed).")


class RegistryList(BaseModel):
    items: list[RegistryOut]


class EvidenceOut(BaseModel):
    path: str
    value: object = None
    source: str
    origin: str
    reason: str | None = None


class PostureResultOut(BaseModel):
    rule_id: str
    title: str
    severity: str
    status: str
    effective_status: str
    message: str
    evidence: list[EvidenceOut]
    note: str | None = None


class PosturePointOut(BaseModel):
    run_id: int
    recorded_at: datetime
    score: float | None
    failing: int


class RegistryDetail(RegistryOut):
    results: list[PostureResultOut]
    history: list[PosturePointOut]


class ImageSummary(BaseModel):
    digest: str
    name: str
    registry: str | None
    repository: str | None
    tags: list[str]
    status: str
    created: str | None
    catalogued_at: datetime
    packages: int
    findings: SeverityCounts
    fixable: int
    running: int
    production: int
    risk: int


class ImageList(Page):
    items: list[ImageSummary]
    computed_at: datetime = Field(description="When the risk summary these rows come from was computed.")


class PlaceOut(BaseModel):
    registry: str
    repository: str
    tags: list[str]


class WorkloadRef(BaseModel):
    cluster: str
    namespace: str
    kind: str
    name: str
    container: str
    image: str
    digest: str
    environment: str
    environment_rule: str
    pods: int


class LayerOut(BaseModel):
    index: int
    digest: str
    size: int | None = None
    created_by: str | None = None


class PackageOut(BaseModel):
    name: str
    version: str
    type: str
    purl: str
    layer_index: int | None
    layer_digest: str | None
    path: str | None


class TriageOut(BaseModel):
    vuln_id: str
    scope: str
    target: str
    package: str
    state: str
    reason: str
    author: str
    created_at: datetime
    expires: date | None


class FindingOut(BaseModel):
    vuln_id: str
    aliases: list[str]
    package: str
    package_type: str
    version: str
    severity: str
    fixed: list[str]
    triage: TriageOut | None


class PackageChangeOut(BaseModel):
    kind: str
    type: str
    name: str
    before: list[str]
    after: list[str]
    layer_index: int | None


class BuildDiffOut(BaseModel):
    tag: str
    compared_with: str | None
    note: str | None
    packages: list[PackageChangeOut]
    introduced: list[FindingOut]
    fixed: list[FindingOut]


class ImageDetailOut(BaseModel):
    digest: str
    status: str
    source: str
    catalogued_at: datetime
    error: str | None
    media_type: str | None
    platform: str | None
    created: str | None
    os: str | None
    config: dict[str, object]
    layers: list[LayerOut]
    unknowns: int
    places: list[PlaceOut]
    running: list[WorkloadRef]
    findings: list[FindingOut]
    previous_build: BuildDiffOut | None
    signatures: SignaturesOut


class PackageList(Page):
    items: list[PackageOut]


class FindingList(Page):
    items: list[FindingOut]


class VulnerabilitySummary(BaseModel):
    id: str
    severity: str
    summary: str | None
    cvss_score: float | None
    packages: list[str]
    images: int
    fixable: bool
    first_seen: datetime | None
    running: int
    production: int


class VulnerabilityList(Page):
    items: list[VulnerabilitySummary]
    computed_at: datetime


class AffectedRowOut(BaseModel):
    digest: str
    image: str
    package: str
    version: str
    type: str
    fixed: list[str]
    severity: str | None
    layer_index: int | None
    running: list[WorkloadRef] = Field(description=f"The first {RUNNING_PER_ROW} workloads running the image.")
    running_total: int = Field(description="Every workload running the image (see /workloads for the rest).")
    triage: TriageOut | None


class VulnerabilityDetail(Page):
    id: str
    aliases: list[str]
    summary: str | None
    production_affected: bool
    images: int = Field(description="Catalogued images holding an affected package.")
    running: int = Field(description="Running containers of those images (untriaged).")
    production: int = Field(description="Of those, in production.")
    triaged: int = Field(description="Image × package rows a triage decision covers.")
    rows: list[AffectedRowOut] = Field(
        description="Image × package rows, a page of them: running in production first, then running, then "
        "running nowhere, triaged last."
    )


class WorkloadOut(BaseModel):
    id: int
    cluster: str
    namespace: str
    kind: str
    name: str
    container: str
    image: str
    digest: str | None
    environment: str
    pods: int
    first_seen: datetime
    last_seen: datetime
    findings: SeverityCounts


class WorkloadList(Page):
    items: list[WorkloadOut]


class WorkloadDetail(WorkloadOut):
    environment_rule: str
    labels: dict[str, str]
    digest_reason: str | None
    image_findings: list[FindingOut]


class EventOut(BaseModel):
    id: int
    kind: str
    created_at: datetime
    summary: str
    payload: dict[str, object]


class EventList(Page):
    items: list[EventOut]


class TriageList(BaseModel):
    items: list[TriageOut]


class TriageIn(BaseModel):
    vulnerability: str = Field(min_length=1, max_length=255, description="A vulnerability id or alias.")
    scope: str = Field(pattern="^(image|repository|all)$")
    target: str = Field(default="", max_length=512, description="A digest or reference, or REGISTRY/REPOSITORY.")
    state: str = Field(pattern="^(not_affected|false_positive|accepted|fixed)$")
    reason: str = Field(min_length=1, max_length=4000)
    package: str = Field(default="", max_length=512)
    expires: date | None = None


class TriageResult(BaseModel):
    decisions: int
    covered: int
    images: int
    exposures_closed: int


class IngestResult(BaseModel):
    digest: str
    new: bool
    findings: int | None = None


class WebhookResult(BaseModel):
    queued: bool
    validationResponse: str | None = None


class SearchHit(BaseModel):
    kind: str = Field(description="vulnerability | package | image")
    label: str
    url: str


class SearchResult(BaseModel):
    query: str
    hits: list[SearchHit]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, object]
    client: str | None


class AuditList(Page):
    items: list[AuditEntryOut]
