"""deps.json cataloger against real files: Python.Runtime.deps.json shipped in the pythonnet 3.0.3 wheel, and
the StartupDiagnostics.deps.json sample from the ASP.NET Core docs (hosting startup, runtime store).
"""

from __future__ import annotations

from regwarden.model.sbom import Location, PackageType
from regwarden.sbom.catalogers.dotnet import DotnetDepsCataloger
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile

from .lang_fixtures import TESTDATA, assert_survives_corruption, by_purl, catalog_tree, triples

DOTNET = TESTDATA / "dotnet"
PYTHONNET = "usr/local/lib/python3.11/site-packages/pythonnet/runtime/Python.Runtime.deps.json"


def test_package_libraries_only() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "usr")
    assert result.unknowns == ()
    assert triples(result.packages) == {
        (name, version, f"pkg:nuget/{name}@{version}")
        for name, version in [
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
    # The project itself (Python.Runtime/3.0.3) is the app's own code.
    assert "Python.Runtime" not in {p.name for p in result.packages}
    csharp = by_purl(result.packages)["pkg:nuget/Microsoft.CSharp@4.7.0"]
    assert csharp.type is PackageType.NUGET
    assert csharp.locations == (Location("/" + PYTHONNET.removeprefix("usr/")),)
    assert csharp.metadata == {
        "sha512": "sha512-pTj+D3uJWyN3My70i2Hqo+OXixq3Os2D1nJ2x92FFo6sk8fYS1m1WLNTs0Dc1uPaViH0YvEEwvzddQ7y4rhXmA=="
    }


def test_docs_sample_skips_the_project_entry() -> None:
    result = catalog_tree(DotnetDepsCataloger(), DOTNET / "app")
    assert triples(result.packages) == {
        ("StartupDiagnostics", "1.0.0", "pkg:nuget/StartupDiagnostics@1.0.0"),
    }


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
