"""Every cataloger, listed explicitly (no registration at import time). Order: OS package managers first, so
their owned-file maps exist before language packages are linked to them."""

from __future__ import annotations

from regwarden.sbom.catalogers.apk import ApkCataloger
from regwarden.sbom.catalogers.chisel import ChiselCataloger
from regwarden.sbom.catalogers.dotnet import DotnetDepsCataloger
from regwarden.sbom.catalogers.dpkg import DpkgCataloger
from regwarden.sbom.catalogers.golang import GoBinaryCataloger
from regwarden.sbom.catalogers.interface import Cataloger
from regwarden.sbom.catalogers.java import JavaArchiveCataloger
from regwarden.sbom.catalogers.npm import NpmCataloger
from regwarden.sbom.catalogers.php import ComposerCataloger
from regwarden.sbom.catalogers.python import PythonPackageCataloger
from regwarden.sbom.catalogers.python_archives import PythonArchiveCataloger
from regwarden.sbom.catalogers.rpm import RpmCataloger
from regwarden.sbom.catalogers.ruby import RubyGemCataloger
from regwarden.sbom.catalogers.rust import CargoAuditableCataloger

ALL_CATALOGERS: tuple[Cataloger, ...] = (
    DpkgCataloger(),
    ChiselCataloger(),
    ApkCataloger(),
    RpmCataloger(),
    PythonPackageCataloger(),
    PythonArchiveCataloger(),
    NpmCataloger(),
    RubyGemCataloger(),
    ComposerCataloger(),
    DotnetDepsCataloger(),
    JavaArchiveCataloger(),
    GoBinaryCataloger(),
    CargoAuditableCataloger(),
)
