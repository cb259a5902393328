"""Every audit-log detection, listed explicitly in id order (no registration at import time)."""

from __future__ import annotations

from regwarden.detect.detection import Detection
from regwarden.detect.detections import (
    admin_account_login,
    admin_user_credentials,
    anonymous_pull_enabled,
    diagnostic_settings_changed,
    failed_login_burst,
    mass_deletion,
    network_rules_opened,
    role_assignment_changed,
    running_digest_deleted,
    tokens_scope_maps_changed,
    unexpected_source_ip,
    webhooks_changed,
)

ALL_DETECTIONS: tuple[Detection, ...] = (
    admin_account_login.DETECTION,
    unexpected_source_ip.DETECTION,
    mass_deletion.DETECTION,
    running_digest_deleted.DETECTION,
    role_assignment_changed.DETECTION,
    admin_user_credentials.DETECTION,
    tokens_scope_maps_changed.DETECTION,
    diagnostic_settings_changed.DETECTION,
    webhooks_changed.DETECTION,
    failed_login_burst.DETECTION,
    anonymous_pull_enabled.DETECTION,
    network_rules_opened.DETECTION,
)
