"""Posture configuration from YAML: defaults, every field, and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError
from regwarden.posture.config import PostureConfig, Profile, Suppression, load_config

FULL = """\
profile: regulated
allowed_regions: [westeurope, northeurope]
ci_principal_ids: ["11111111-1111-1111-1111-111111111111"]
max_delete_holders: 1
min_ip_prefix: 28
min_ipv6_prefix: 56
max_retention_days: 14
max_token_expiry_days: 30
suppressions:
  - rule: RW-ACR-010
    registry: contosodev01
    reason: dev registry stays Standard until Q3
    expires: 2026-09-30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "posture.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_config(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, FULL)) == PostureConfig(
        profile=Profile.REGULATED,
        allowed_regions=("westeurope", "northeurope"),
        ci_principal_ids=("11111111-1111-1111-1111-111111111111",),
        max_delete_holders=1,
        min_ip_prefix=28,
        min_ipv6_prefix=56,
        max_retention_days=14,
        max_token_expiry_days=30,
        suppressions=(
            Suppression("RW-ACR-010", "dev registry stays Standard until Q3", date(2026, 9, 30), "contosodev01"),
        ),
    )


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config == PostureConfig()
    assert (config.profile, config.max_delete_holders, config.min_ip_prefix) == (Profile.PRODUCTION, 2, 24)
    assert config.min_ipv6_prefix == 48


def test_keys_left_out_keep_the_dataclass_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "profile: dev\nmin_ip_prefix: 28\n"))
    assert config == PostureConfig(profile=Profile.DEV, min_ip_prefix=28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("profile: staging\n", "unknown profile 'staging'"),
        ("max_delete_holders: -1\n", "max_delete_holders must be a non-negative integer"),
        ("colour: blue\n", "unknown posture config keys: colour"),
        (
            "suppressions:\n  - rule: RW-ACR-001\n    expires: 2026-01-01\n",
            r"suppressions\[0\]: 'reason' is required",
        ),
        ("suppressions:\n  - rule: RW-ACR-001\n    reason: x\n", r"'expires' \(YYYY-MM-DD\) is required"),
        (
            "suppressions:\n  - rule: RW-ACR-001\n    reason: x\n    expires: soon\n",
            "'expires' must be a date",
        ),
        ("allowed_regions: westeurope\n", "allowed_regions must be a list"),
        ("ci_principal_ids: [1234]\n", "ci_principal_ids must be a list of strings"),
        ("min_ip_prefix: '24'\n", "min_ip_prefix must be a non-negative integer, got '24'"),
        ("min_ip_prefix: 33\n", "min_ip_prefix must be an IPv4 prefix length from 0 to 32, got 33"),
        ("min_ip_prefix: 64\n", "min_ip_prefix must be an IPv4 prefix length from 0 to 32, got 64"),
        ("min_ipv6_prefix: 129\n", "min_ipv6_prefix must be an IPv6 prefix length from 0 to 128, got 129"),
        ("min_ipv6_prefix: -48\n", "min_ipv6_prefix must be a non-negative integer, got -48"),
        ("max_retention_days: true\n", "max_retention_days must be a non-negative integer, got True"),
        ("suppressions:\n  - RW-ACR-001\n", r"suppressions\[0\] must be a mapping"),
        (
            "suppressions:\n  - reason: x\n    expires: 2026-01-01\n",
            r"suppressions\[0\]: 'rule' \(a rule id\) is required",
        ),
        (
            "suppressions:\n  - rule: RW-ACR-001\n    reason: x\n    expires: 2026-01-01\n    registry: [a]\n",
            "'registry' must be a registry name or id",
        ),
        ("- a\n", "must be a mapping"),
        ("profile: [\n", "malformed YAML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        load_config(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read posture config"):
        load_config(tmp_path / "absent.yaml")


@pytest.mark.parametrize(("key", "longest"), [("min_ip_prefix", 32), ("min_ipv6_prefix", 128)])
def test_prefix_lengths_accept_their_whole_range(tmp_path: Path, key: str, longest: int) -> None:
    for length in (0, longest):
        assert getattr(load_config(write(tmp_path, f"{key}: {length}\n")), key) == length
