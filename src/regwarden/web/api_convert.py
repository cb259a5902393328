"""Model objects → the API's response shapes (api_models.py). Pure: no store, no request."""

from __future__ import annotations

from regwarden.model.dashboard import SEVERITIES, ImageDetail, ImageRisk, VulnerabilityRisk
from regwarden.model.history import BuildStep, FindingDelta
from regwarden.model.inventory import Event, ImpactRow, RunningWorkload, TriageDecision
from regwarden.model.posture_record import PosturePoint, RecordedResult, RegistryPosture
from regwarden.model.sbom import Package
from regwarden.web import api_models as out
from regwarden.web import api_signatures
from regwarden.web.affected_cache import PreparedAnswer


def counts(findings: dict[str, int]) -> out.SeverityCounts:
    return out.SeverityCounts(**{severity: findings.get(severity, 0) for severity in SEVERITIES})


def registry(posture: RegistryPosture) -> out.RegistryOut:
    return out.RegistryOut(
        name=posture.registry_name,
        registry_id=posture.registry_id,
        recorded_at=posture.recorded_at,
        profile=posture.profile,
        score=posture.score,
        counts=posture.counts,
        failing=[result.rule_id for result in posture.failing],
    )


def posture_result(result: RecordedResult) -> out.PostureResultOut:
    evidence = [out.EvidenceOut.model_validate(item) for item in result.evidence]
    return out.PostureResultOut(
        rule_id=result.rule_id,
        title=result.title,
        severity=result.severity,
        status=result.status,
        effective_status=result.effective_status,
        message=result.message,
        evidence=evidence,
        note=result.note,
    )


def registry_detail(posture: RegistryPosture, points: list[PosturePoint]) -> out.RegistryDetail:
    return out.RegistryDetail(
        **registry(posture).model_dump(),
        results=[posture_result(result) for result in posture.results],
        history=[out.PosturePointOut(run_id=p.run_id, recorded_at=p.recorded_at, score=p.score, failing=p.failing)
                 for p in points],
    )  # fmt: skip


def image_summary(image: ImageRisk) -> out.ImageSummary:
    return out.ImageSummary(
        digest=image.digest,
        name=image.name,
        registry=image.registry,
        repository=image.repository,
        tags=list(image.tags),
        status=image.status,
        created=image.created,
        catalogued_at=image.catalogued_at,
        packages=image.packages,
        findings=counts(image.findings),
        fixable=image.fixable,
        running=image.running,
        production=image.production,
        risk=image.risk,
    )


def workload(item: RunningWorkload) -> out.WorkloadRef:
    return out.WorkloadRef(
        cluster=item.cluster,
        namespace=item.namespace,
        kind=item.kind,
        name=item.name,
        container=item.container,
        image=item.image,
        digest=item.digest,
        environment=item.environment,
        environment_rule=item.environment_rule,
        pods=item.pods,
    )


def triage(decision: TriageDecision | None) -> out.TriageOut | None:
    if decision is None:
        return None
    return out.TriageOut(
        vuln_id=decision.vuln_id,
        scope=decision.scope.value,
        target=decision.target,
        package=decision.package,
        state=decision.state.value,
        reason=decision.reason,
        author=decision.author,
        created_at=decision.created_at,
        expires=decision.expires,
    )


def finding(delta: FindingDelta) -> out.FindingOut:
    return out.FindingOut(
        vuln_id=delta.vuln_id,
        aliases=list(delta.aliases),
        package=delta.package,
        package_type=delta.package_type,
        version=delta.version,
        severity=delta.severity,
        fixed=list(delta.fixed),
        triage=triage(delta.triage),
    )


def package(item: Package) -> out.PackageOut:
    return out.PackageOut(
        name=item.name,
        version=item.version,
        type=item.type.value,
        purl=item.purl,
        layer_index=item.layer.index if item.layer else None,
        layer_digest=item.layer.digest if item.layer else None,
        path=item.locations[0].path if item.locations else None,
    )


def build_diff(step: BuildStep, tag: str) -> out.BuildDiffOut:
    return out.BuildDiffOut(
        tag=tag,
        compared_with=step.compared_with,
        note=step.note,
        packages=[
            out.PackageChangeOut(kind=d.kind, type=d.type, name=d.name, before=list(d.before), after=list(d.after),
                                 layer_index=d.layer.index if d.layer else None)
            for d in step.packages
        ],
        introduced=[finding(delta) for delta in step.introduced],
        fixed=[finding(delta) for delta in step.fixed],
    )  # fmt: skip


def image_detail(detail: ImageDetail) -> out.ImageDetailOut:
    previous = build_diff(detail.previous, detail.previous_tag or "") if detail.previous else None
    return out.ImageDetailOut(
        digest=detail.digest,
        status=detail.status,
        source=detail.source,
        catalogued_at=detail.catalogued_at,
        error=detail.error,
        media_type=detail.media_type,
        platform=detail.platform,
        created=detail.created,
        os=detail.os,
        config=detail.config,
        layers=[layer(index, item) for index, item in enumerate(detail.layers)],
        unknowns=detail.unknowns,
        places=[out.PlaceOut(registry=p.registry, repository=p.repository, tags=list(p.tags)) for p in detail.places],
        running=[workload(item) for item in detail.running],
        findings=[finding(delta) for delta in detail.findings],
        previous_build=previous,
        signatures=api_signatures.signatures(detail.signatures),
    )


def layer(index: int, item: dict[str, object]) -> out.LayerOut:
    size = item.get("size")
    created_by = item.get("created_by")
    return out.LayerOut(
        index=index,
        digest=str(item.get("digest", "")),
        size=int(size) if isinstance(size, int) else None,
        created_by=str(created_by) if created_by is not None else None,
    )


def vulnerability(item: VulnerabilityRisk) -> out.VulnerabilitySummary:
    return out.VulnerabilitySummary(
        id=item.id,
        severity=item.severity,
        summary=item.summary,
        cvss_score=item.cvss_score,
        packages=list(item.packages),
        images=item.images,
        fixable=item.fixable,
        first_seen=item.first_seen,
        running=item.running,
        production=item.production,
    )


def affected_row(row: ImpactRow) -> out.AffectedRowOut:
    hit = row.component
    return out.AffectedRowOut(
        digest=hit.digest,
        image=hit.image,
        package=hit.package,
        version=hit.version,
        type=hit.type,
        fixed=list(hit.fixed),
        severity=hit.severity,
        layer_index=hit.layer_index,
        running=[workload(item) for item in row.running[: out.RUNNING_PER_ROW]],
        running_total=len(row.running),
        triage=triage(row.triage),
    )


def vulnerability_detail(answer: PreparedAnswer, limit: int, offset: int) -> out.VulnerabilityDetail:
    report = answer.report
    return out.VulnerabilityDetail(
        id=report.vulnerability_id,
        aliases=list(report.aliases),
        summary=report.summary,
        production_affected=answer.production_affected,
        images=answer.images,
        running=len(answer.running),
        production=answer.production,
        triaged=answer.triaged,
        total=len(answer.rows),
        limit=limit,
        offset=offset,
        rows=[affected_row(row) for row in answer.rows[offset : offset + limit]],
    )


def event(item: Event) -> out.EventOut:
    return out.EventOut(
        id=item.id, kind=item.kind, created_at=item.created_at, summary=item.summary, payload=item.payload
    )
