"""The modinfo text of Go build info and the -ldflags version rule, from lines as `go version -m` prints them.

The ldflags cases are the shapes of real release builds seen in the wild (quoted -X values beside other flags,
a version variable in a package of the module, a dependency's version variable, -extldflags with quotes).
"""

from __future__ import annotations

import pytest

from regwarden.sbom.catalogers.golang_ldflags import go_unquote, version_from_ldflags, x_definitions
from regwarden.sbom.catalogers.golang_modinfo import GoBuildInfoError, Module, main_module, parse_modinfo

APP = "example.com/app"


def _modinfo(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def test_replacements_follow_the_module_line_they_replace() -> None:
    info = parse_modinfo(
        "go1.21.5",
        _modinfo(
            f"path\t{APP}/cmd/app",
            f"mod\t{APP}\t(devel)\t",
            "=>\t./fork\t\t",
            "dep\tgolang.org/x/net\tv0.17.0",
            "=>\tgithub.com/corp/net\tv0.17.1-corp.1\th1:abc=",
            "dep\texample.com/greet\tv0.1.0",
            "=>\t../greet\t\t",
            "dep\tgolang.org/x/text\tv0.14.0\th1:def=",
        ),
    )

    assert info.main == Module(APP, "(devel)", replaced_by="./fork")
    assert info.deps == (
        Module("github.com/corp/net", "v0.17.1-corp.1", replaces="golang.org/x/net@v0.17.0"),
        Module("example.com/greet", "v0.1.0", replaced_by="../greet"),
        Module("golang.org/x/text", "v0.14.0"),
    )


@pytest.mark.parametrize(
    "lines",
    [
        ("path\tx", "=>\t../greet\t\t"),  # nothing to replace
        ("dep\ta\tv1.0.0", "=>\tb\tv1.0.0\t", "=>\tc\tv1.0.0\t"),  # a second replacement of the same line
    ],
)
def test_a_replacement_without_its_module_line_is_corrupt(lines: tuple[str, ...]) -> None:
    with pytest.raises(GoBuildInfoError, match="replacement without a module line"):
        parse_modinfo("go1.21.5", _modinfo(*lines))


def test_build_settings_are_unquoted_as_go_quoted_them() -> None:
    info = parse_modinfo(
        "go1.21.5",
        _modinfo(
            "build\t-compiler=gc",
            'build\t-ldflags="-X \\"main.version=1.23.2\\"  -X \\"main.built=2025-04-22 20:49:45\\""',
            'build\t-tags="a,b\\tc"',
            "build\tvcs.revision=9eeb4a7",
        ),
    )

    assert info.settings == {
        "-compiler": "gc",
        "-ldflags": '-X "main.version=1.23.2"  -X "main.built=2025-04-22 20:49:45"',
        "-tags": "a,b\tc",
        "vcs.revision": "9eeb4a7",
    }


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [("plain", "plain"), ('"a b"', "a b"), ('"\\x41\\u00e9\\101\\\\"', "Aé" + "A\\"), ('"', '"')],
)
def test_go_unquote(quoted: str, plain: str) -> None:
    assert go_unquote(quoted) == plain


@pytest.mark.parametrize(
    ("ldflags", "expected"),
    [
        ("-s -w -X main.version=1.4.2", ("v1.4.2", "main.version")),
        ('-X "main.version=1.23.2" -X "main.revision=9eeb4a7"', ("v1.23.2", "main.version")),
        ("-X=main.Version=v2.0.0-rc.1+build.7", ("v2.0.0-rc.1+build.7", "main.Version")),
        ("-X 'main.ver=3.1'", ("v3.1.0", "main.ver")),
        (f"--X {APP}/internal/build.gitVersion=0.9.0", ("v0.9.0", f"{APP}/internal/build.gitVersion")),
        # A dependency's version variable loses to the main module's own, whatever the order.
        (f"-X example.com/greet.Version=9.9.9 -X {APP}/run.version=1.0.0", ("v1.0.0", f"{APP}/run.version")),
        # ... and is used when it is the only one (Trivy takes it too).
        ("-X example.com/greet.Version=9.9.9", ("v9.9.9", "example.com/greet.Version")),
        ('-X main.version=1.2.3 -extldflags "-z noexecstack"', ("v1.2.3", "main.version")),
        # Not versions: another variable, a value that is not semver, no -X at all, a dangling -X.
        ("-X main.commit=1.2.3", None),
        ("-X main.version=dev", None),
        ("-X main.version=2024.01.15-nightly-abc", None),
        ("-s -w", None),
        ("-X", None),
        ("-X 'main.version=1.2.3", ("v1.2.3", "main.version")),  # unbalanced quote: read what is there
    ],
)
def test_version_from_ldflags(ldflags: str, expected: tuple[str, str] | None) -> None:
    assert version_from_ldflags(ldflags, f"{APP}/cmd/app", APP) == expected


def test_x_definitions_in_order() -> None:
    assert list(x_definitions("-X a.b=1 -s -X=c.d=2 -X e.f")) == [("a.b", "1"), ("c.d", "2")]


def test_main_module_version_choice() -> None:
    def about(mod_line: str, ldflags: str = "") -> tuple[str, dict[str, str]] | None:
        lines = [f"path\t{APP}", mod_line] if mod_line else [f"path\t{APP}"]
        info = parse_modinfo("go1.21.5", _modinfo(*lines, f'build\t-ldflags="{ldflags}"'))
        found = main_module(info)
        return None if found is None else (found[0].version, found[1])

    assert about("") is None  # `go build file.go` outside a module: no main module
    assert about(f"mod\t{APP}\tv1.5.0\th1:x=", "-X main.version=9.9.9") == ("v1.5.0", {"role": "main module"})
    assert about(f"mod\t{APP}\t(devel)\t", "-X main.version=1.0.0") == (
        "v1.0.0",
        {"role": "main module", "version_from": "-X main.version"},
    )
    assert about(f"mod\t{APP}\t(devel)\t") == (
        "",
        {"role": "main module", "version_note": "(devel): built from a source tree, no release version recorded"},
    )
