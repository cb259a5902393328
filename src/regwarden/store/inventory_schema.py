"""The inventory tables: images and where they live, their packages, findings, workloads, events.

The inventory is append-mostly (docs/inventory.md): a digest is catalogued once; tag moves, locations, findings
and workloads are facts with first-seen / last-seen times, so history is a query, never a recomputation.

Packages are stored once however many images hold them (`packages`, keyed by an identity hash of everything
matching reads), and `components` says which image holds which package in which layer. Vulnerabilities are
matched per package (`package_findings`): a match depends only on the package, its OS and the advisories, so an
advisory update re-evaluates the few distinct packages it names, and an image's findings are a join.
"""

from __future__ import annotations

import sqlalchemy as sa

from regwarden.store.metadata import DIGEST, MOMENT, ROW_ID, metadata

registries = sa.Table(
    "registries",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("host", sa.String(255), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("last_synced_at", MOMENT, nullable=True),
)

repositories = sa.Table(
    "repositories",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("registry_id", ROW_ID, sa.ForeignKey("registries.id"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.UniqueConstraint("registry_id", "name", name="uq_repositories_name"),
)

images = sa.Table(
    "images",
    metadata,
    sa.Column("digest", DIGEST, primary_key=True),
    sa.Column("status", sa.String(20), nullable=False),  # catalogued | failed
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("source", sa.Text(), nullable=False),  # what it was read from: a reference, an SBOM file
    sa.Column("media_type", sa.String(255), nullable=True),
    sa.Column("platform", sa.String(60), nullable=True),
    sa.Column("created", sa.String(40), nullable=True),  # the image config's `created`
    sa.Column("config_digest", DIGEST, nullable=True),
    sa.Column("config", sa.Text(), nullable=True),  # JSON: labels, user, entrypoint, cmd, ...
    sa.Column("layers", sa.Text(), nullable=True),  # JSON list of layer descriptors
    sa.Column("os_id", sa.String(60), nullable=True),
    sa.Column("os_version_id", sa.String(60), nullable=True),
    sa.Column("os_codename", sa.String(60), nullable=True),
    sa.Column("os_pretty_name", sa.String(255), nullable=True),
    sa.Column("package_count", sa.Integer(), nullable=False),
    sa.Column("unknown_count", sa.Integer(), nullable=False),
    sa.Column("catalogued_at", MOMENT, nullable=False),
    sa.Column("tool_version", sa.String(40), nullable=False),
)

image_children = sa.Table(
    "image_children",
    metadata,
    sa.Column("index_digest", DIGEST, nullable=False),
    sa.Column("child_digest", DIGEST, nullable=False),
    sa.Column("platform", sa.String(60), nullable=True),
    sa.PrimaryKeyConstraint("index_digest", "child_digest", name="pk_image_children"),
)
sa.Index("ix_image_children_child", image_children.c.child_digest)

image_locations = sa.Table(
    "image_locations",
    metadata,
    sa.Column("repository_id", ROW_ID, sa.ForeignKey("repositories.id"), nullable=False),
    sa.Column("digest", DIGEST, nullable=False),
    sa.Column("pushed_at", sa.String(40), nullable=True),  # the registry's own push time, when it has one
    sa.Column("first_seen", MOMENT, nullable=False),
    sa.Column("last_seen", MOMENT, nullable=False),
    sa.Column("gone_at", MOMENT, nullable=True),  # no longer listed by a registry that lists every manifest
    sa.PrimaryKeyConstraint("repository_id", "digest", name="pk_image_locations"),
)
sa.Index("ix_image_locations_digest", image_locations.c.digest)

tag_history = sa.Table(
    "tag_history",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("repository_id", ROW_ID, sa.ForeignKey("repositories.id"), nullable=False),
    sa.Column("tag", sa.String(255), nullable=False),
    sa.Column("digest", DIGEST, nullable=False),
    sa.Column("first_seen", MOMENT, nullable=False),
    sa.Column("last_seen", MOMENT, nullable=False),
    sa.Column("moved_at", MOMENT, nullable=True),  # NULL while the tag still points here
)
sa.Index("ix_tag_history_tag", tag_history.c.repository_id, tag_history.c.tag)
sa.Index("ix_tag_history_digest", tag_history.c.digest)

packages = sa.Table(
    "packages",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("identity", sa.String(64), nullable=False, unique=True),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("search_name", sa.String(512), nullable=False),  # lower case, `where` looks packages up by it
    sa.Column("version", sa.String(255), nullable=False),
    sa.Column("purl", sa.Text(), nullable=False),
    sa.Column("cataloger", sa.String(60), nullable=False),
    sa.Column("source_name", sa.String(512), nullable=True),
    sa.Column("source_version", sa.String(255), nullable=True),
    sa.Column("arch", sa.String(60), nullable=True),
    sa.Column("epoch", sa.Integer(), nullable=True),
    sa.Column("owned_by", sa.Text(), nullable=True),
    sa.Column("metadata", sa.Text(), nullable=False),  # JSON: the metadata matching reads (a project's role)
    # The image's OS, for OS packages only: their advisories are scoped to a release. Language packages match
    # whatever the OS, so they are stored once for every image.
    sa.Column("os_id", sa.String(60), nullable=True),
    sa.Column("os_version_id", sa.String(60), nullable=True),
    sa.Column("os_codename", sa.String(60), nullable=True),
)
sa.Index("ix_packages_search_name", packages.c.search_name)

package_keys = sa.Table(
    "package_keys",
    metadata,
    sa.Column("ecosystem", sa.String(100), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
    # Leads with the advisory index's key: an advisory's (ecosystem, name) finds its packages in one seek.
    sa.PrimaryKeyConstraint("ecosystem", "name", "package_id", name="pk_package_keys"),
)
sa.Index("ix_package_keys_package", package_keys.c.package_id)

components = sa.Table(
    "components",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("image_digest", DIGEST, nullable=False),
    sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
    sa.Column("layer_index", sa.Integer(), nullable=True),
    sa.Column("layer_digest", DIGEST, nullable=True),
    sa.Column("path", sa.Text(), nullable=True),
)
sa.Index("ix_components_image", components.c.image_digest)
sa.Index("ix_components_package", components.c.package_id)

scan_records = sa.Table(
    "scan_records",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("image_digest", DIGEST, nullable=False),
    sa.Column("scanned_at", MOMENT, nullable=False),
    sa.Column("origin", sa.String(40), nullable=False),  # sync, inventory add, scan --record, event, k8s
    sa.Column("tool_version", sa.String(40), nullable=False),
    sa.Column("db_updated_at", MOMENT, nullable=True),  # the advisory database's newest update at the time
    sa.Column("findings", sa.Integer(), nullable=False),
)
sa.Index("ix_scan_records_image", scan_records.c.image_digest)

package_findings = sa.Table(
    "package_findings",
    metadata,
    sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
    sa.Column("vuln_id", sa.String(255), nullable=False),
    sa.Column("ids", sa.Text(), nullable=False),  # JSON: the preferred id and every alias
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("unrated", sa.Boolean(), nullable=False),
    sa.Column("cvss_score", sa.Float(), nullable=True),
    sa.Column("fixed", sa.Text(), nullable=False),  # JSON list of fixed versions
    sa.Column("summary", sa.Text(), nullable=True),
    sa.Column("evidence", sa.Text(), nullable=False),  # JSON: how it matched
    sa.Column("first_seen", MOMENT, nullable=False),
    sa.Column("last_seen", MOMENT, nullable=False),
    sa.Column("resolved_at", MOMENT, nullable=True),
    sa.PrimaryKeyConstraint("package_id", "vuln_id", name="pk_package_findings"),
)
sa.Index("ix_package_findings_vuln", package_findings.c.vuln_id)

finding_ids = sa.Table(
    "finding_ids",
    metadata,
    # Every id a finding answers to (its own and its aliases), so `affected GHSA-…` finds a CVE-keyed finding.
    sa.Column("alias", sa.String(255), nullable=False),
    sa.Column("vuln_id", sa.String(255), nullable=False),
    sa.PrimaryKeyConstraint("alias", "vuln_id", name="pk_finding_ids"),
)

triage = sa.Table(
    "triage",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("vuln_id", sa.String(255), nullable=False),
    sa.Column("scope", sa.String(20), nullable=False),  # image | repository | all
    sa.Column("target", sa.String(512), nullable=False),  # a digest, `registry/repository`, or '' for all
    sa.Column("package", sa.String(512), nullable=False),  # a package name, or '' for every package
    sa.Column("state", sa.String(30), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("expires", sa.Date(), nullable=True),
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("created_at", MOMENT, nullable=False),
)
sa.Index("ix_triage_vuln", triage.c.vuln_id)

inventory_state = sa.Table(
    "inventory_state",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)

workloads = sa.Table(
    "workloads",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("identity", sa.String(64), nullable=False, unique=True),
    sa.Column("cluster", sa.String(255), nullable=False),
    sa.Column("namespace", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("container", sa.String(255), nullable=False),
    sa.Column("container_kind", sa.String(20), nullable=False),
    sa.Column("image", sa.Text(), nullable=False),
    sa.Column("digest", DIGEST, nullable=True),
    sa.Column("image_id", sa.Text(), nullable=True),
    sa.Column("digest_reason", sa.Text(), nullable=True),  # why digest is NULL
    sa.Column("owner_inferred", sa.Text(), nullable=True),  # how kind/name were inferred, when they were
    sa.Column("labels", sa.Text(), nullable=False),
    sa.Column("pods", sa.Integer(), nullable=False),
    sa.Column("environment", sa.String(20), nullable=False),
    sa.Column("environment_rule", sa.Text(), nullable=False),
    sa.Column("first_seen", MOMENT, nullable=False),
    sa.Column("last_seen", MOMENT, nullable=False),
    sa.Column("gone_at", MOMENT, nullable=True),  # not running at the cluster's last sync
)
sa.Index("ix_workloads_digest", workloads.c.digest)
sa.Index("ix_workloads_cluster", workloads.c.cluster)

cluster_syncs = sa.Table(
    "cluster_syncs",
    metadata,
    sa.Column("cluster", sa.String(255), primary_key=True),
    sa.Column("synced_at", MOMENT, nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("workloads", sa.Integer(), nullable=False),
    sa.Column("gaps", sa.Text(), nullable=False),  # JSON list of {scope, reason}
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("dedupe_key", sa.String(255), nullable=False, unique=True),
    sa.Column("created_at", MOMENT, nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),  # JSON
)
sa.Index("ix_events_created", events.c.created_at)

deliveries = sa.Table(
    "deliveries",
    metadata,
    # The outbox: a row per event and endpoint, written with the event in one transaction, so none is lost.
    sa.Column("event_id", ROW_ID, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("endpoint", sa.String(255), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # pending | delivered | failed | skipped
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", MOMENT, nullable=False),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("delivered_at", MOMENT, nullable=True),
    sa.PrimaryKeyConstraint("event_id", "endpoint", name="pk_deliveries"),
)
sa.Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)

exposures = sa.Table(
    "exposures",
    metadata,
    # A running production workload affected by a finding: opened and closed as findings, deployments and triage
    # change. Each opening and closing is an event; this table is what makes "new" and "resolved" exact.
    sa.Column("workload_id", ROW_ID, sa.ForeignKey("workloads.id"), nullable=False),
    sa.Column("vuln_id", sa.String(255), nullable=False),
    sa.Column("package_id", ROW_ID, sa.ForeignKey("packages.id"), nullable=False),
    sa.Column("digest", DIGEST, nullable=False),
    sa.Column("opened_at", MOMENT, nullable=False),
    sa.Column("closed_at", MOMENT, nullable=True),
    sa.PrimaryKeyConstraint("workload_id", "vuln_id", "package_id", "digest", name="pk_exposures"),
)
sa.Index("ix_exposures_vuln", exposures.c.vuln_id)

leases = sa.Table(
    "leases",
    metadata,
    # One row per exclusive job (`watch`): whoever holds an unexpired lease does the work; others wait.
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("expires_at", MOMENT, nullable=False),
)
