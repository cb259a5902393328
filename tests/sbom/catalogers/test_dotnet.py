"""deps.json cataloger against real files: Python.Runtime.deps.json shipped in the pythonnet 3.0.3 wheel, the
StartupDiagnostics.deps.json sample from the ASP.NET Core docs (hosting startup, runtime store), and two written
in the shapes of a self-contained app and of the shared framework (testdata/dotnet/README.md).
"""

from __future__ import annotations

import json

import pytest

from regwarden.model.sbom import Location, PackageType
from regwarden.sbom.catalogers.dotnet import DotnetDepsCataloger, parse_deps_json
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile
from regwarden.vuln.ecosystems import lookup_keys

from .lang_fixtures import TESTDATA, assert_survives_corruption, by_purl, catalog_tree, triples

DOTNET = TESTDATA / "dotnet"
PYTHONNET = "usr/local/lib/python3.11/site-packages/pythonnet/runtime/Python.Runtime.deps.json"


def test_package_libraries_only() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "usr")
    assert result.unknowns == ()
    assert triples(result.packages) == {
        (name, version, f"pkg:nuget/{name}@{version}")
        for name, version in [
            ("Python.Runtime", "3.0.3"),  # the project itself
            ("Lost.Compat.NullabilityAttributes", "0.0.4"),
            ("Microsoft.Build.Tasks.Git", "1.1.1"),
            ("Microsoft.CSharp", "4.7.0"),
            ("Microsoft.Net.Compilers.Toolset", "4.0.1"),
            ("Microsoft.NETCore.Platforms", "1.1.0"),
            ("Microsoft.NETCore.Targets", "1.1.0"),
            ("Microsoft.SourceLink.Common", "1.1.1"),
            ("Microsoft.SourceLink.GitHub", "1.1.1"),
            ("NETStandard.Library", "2.0.3"),
            ("NonCopyableAnalyzer", "0.7.0"),
            ("System.IO", "4.3.0"),
            ("System.Reflection", "4.3.0"),
            ("System.Reflection.Emit", "4.3.0"),
            ("System.Reflection.Emit.ILGeneration", "4.3.0"),
            ("System.Reflection.Primitives", "4.3.0"),
            ("System.Runtime", "4.3.0"),
            ("System.Text.Encoding", "4.3.0"),
            ("System.Threading.Tasks", "4.3.0"),
        ]
    }
    roles = {p.name: p.metadata.get("role") for p in result.packages if "role" in p.metadata}
    assert roles == {"Python.Runtime": "project"}
    csharp = by_purl(result.packages)["pkg:nuget/Microsoft.CSharp@4.7.0"]
    assert csharp.type is PackageType.NUGET
    assert csharp.locations == (Location("/" + PYTHONNET.removeprefix("usr/")),)
    assert csharp.metadata == {
        "sha512": "sha512-pTj+D3uJWyN3My70i2Hqo+OXixq3Os2D1nJ2x92FFo6sk8fYS1m1WLNTs0Dc1uPaViH0YvEEwvzddQ7y4rhXmA=="
    }


def test_docs_sample_reports_the_store_manifest_project() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "app")
    assert triples(result.packages) == {
        ("store.manifest", "1.0.0", "pkg:nuget/store.manifest@1.0.0"),
        ("StartupDiagnostics", "1.0.0", "pkg:nuget/StartupDiagnostics@1.0.0"),
    }
    assert {p.name: p.metadata.get("role") for p in result.packages} == {
        "store.manifest": "project",
        "StartupDiagnostics": None,
    }


def test_self_contained_app_reports_projects_and_runtime_packs() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "selfcontained")
    assert result.unknowns == ()
    # Legacy.Crypto is a plain DLL <Reference>: an assembly version with no NuGet identity, left out.
    assert {(p.name, p.version, p.purl, p.metadata.get("role")) for p in result.packages} == {
        ("Shop.Web", "2.3.0", "pkg:nuget/Shop.Web@2.3.0", "project"),
        ("Shop.Data", "2.3.0", "pkg:nuget/Shop.Data@2.3.0", "project reference"),
        ("Shop.Domain", "2.3.0", "pkg:nuget/Shop.Domain@2.3.0", "project reference"),
        (
            "Microsoft.NETCore.App.Runtime.linux-x64",
            "8.0.1",
            "pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.1",
            "runtime pack",
        ),
        (
            "Microsoft.AspNetCore.App.Runtime.linux-x64",
            "8.0.1",
            "pkg:nuget/Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.1",
            "runtime pack",
        ),
        ("Serilog", "3.1.1", "pkg:nuget/Serilog@3.1.1", None),
        ("Serilog.AspNetCore", "8.0.0", "pkg:nuget/Serilog.AspNetCore@8.0.0", None),
        ("Microsoft.Data.SqlClient", "5.1.1", "pkg:nuget/Microsoft.Data.SqlClient@5.1.1", None),
    }
    assert {p.locations for p in result.packages} == {(Location("/app/Shop.Web.deps.json"),)}
    # Empty `sha512` of projects and runtime packs is not a hash.
    assert {p.name for p in result.packages if "sha512" in p.metadata} == {
        "Serilog",
        "Serilog.AspNetCore",
        "Microsoft.Data.SqlClient",
    }


def test_runtime_packs_are_looked_up_as_the_nuget_packages_runtime_advisories_name() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "selfcontained")
    runtime = by_purl(result.packages)["pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.1"]
    assert lookup_keys(runtime, None) == [("NuGet", "microsoft.netcore.app.runtime.linux-x64")]


def test_shared_framework_manifest_is_the_runtime_pack() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "shared-framework")
    assert {(p.name, p.version, p.metadata.get("role")) for p in result.packages} == {
        ("Microsoft.NETCore.App.Runtime.linux-x64", "8.0.1", "runtime pack"),
    }


@pytest.mark.parametrize(
    ("libraries", "targets", "file_name", "expected"),
    [
        # Each project depends on the next: the one nobody depends on is the application.
        ({"A/1": "project", "B/1": "project"}, {"A/1": {"B": "1"}}, "X.deps.json", {"A": "project", "B": "ref"}),
        # Two unreferenced projects: the one named like the deps.json file is the application.
        ({"A/1": "project", "B/1": "project"}, {}, "B.deps.json", {"A": "ref", "B": "project"}),
        # Nothing tells them apart: each is a project, none is called a reference.
        ({"A/1": "project", "B/1": "project"}, {}, "X.deps.json", {"A": "project", "B": "project"}),
        # Type names are case-insensitive; a `package` keyed runtimepack.* is still the runtime pack.
        (
            {"runtimepack.Custom.Pack/4.5.6": "Package", "App/1": "PROJECT"},
            {},
            "X.deps.json",
            {"Custom.Pack": "pack", "App": "project"},
        ),
    ],
)
def test_roles(
    libraries: dict[str, str], targets: dict[str, dict[str, str]], file_name: str, expected: dict[str, str]
) -> None:
    document = {
        "targets": {"t": {key: {"dependencies": deps} for key, deps in targets.items()}},
        "libraries": {key: {"type": kind} for key, kind in libraries.items()},
    }
    packages = parse_deps_json(f"app/{file_name}", json.dumps(document).encode())
    short = {"project reference": "ref", "runtime pack": "pack"}
    assert {p.name: short.get(p.metadata["role"], p.metadata["role"]) for p in packages} == expected


def test_unreadable_deps_json_is_an_unknown() -> None:
    real = (DOTNET / PYTHONNET).read_bytes()
    files = [
        CatalogFile("app/A.deps.json", real[:200]),
        CatalogFile("app/B.deps.json", b'{"runtimeTarget": {"name": ".NETCoreApp,Version=v8.0"}}'),
    ]
    result = DotnetDepsCataloger().catalog(files, CatalogContext())
    assert result.packages == ()
    assert [(u.path, u.reason.split(":")[0], u.cataloger) for u in result.unknowns] == [
        ("/app/A.deps.json", "invalid JSON", "dotnet-deps"),
        ("/app/B.deps.json", "deps.json without a `libraries` object", "dotnet-deps"),
    ]


def test_corrupted_fixtures_never_raise() -> None:
    assert assert_survives_corruption(DotnetDepsCataloger(), DOTNET) > 20
