"""PEP 503 name normalisation: the one spelling the Python cataloger writes and the matcher looks up."""

from __future__ import annotations

import pytest

from regwarden.model.package_names import pep503_name


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("PyYAML", "pyyaml"),
        ("zope.interface", "zope-interface"),
        ("Foo__Bar-.baz", "foo-bar-baz"),
        ("ruamel.yaml.clib", "ruamel-yaml-clib"),
        ("already-normal", "already-normal"),
    ],
)
def test_pep503_normalisation(name: str, normalized: str) -> None:
    assert pep503_name(name) == normalized
