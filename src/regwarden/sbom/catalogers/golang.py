"""Go binaries: the module build info the Go linker embeds (what `go version -m` prints).

Only files with an execute bit are examined, like Trivy: Go programs in images are installed executable, and
reading every file for an ELF magic would cost a read of the whole image. A file that is not an ELF/PE/Mach-O
executable, or an executable without the build-info magic, is simply not Go (no Unknown); an executable whose
build info is present but unreadable is an Unknown.

Two layouts exist after the 14-byte magic `\\xff Go buildinf:` (at a 16-byte aligned address, in the
`.go.buildinfo` section, or at the start of the writable data for files without that section):
- Go >= 1.18: flag bit 2 set; two varint-length-prefixed strings (version, modinfo) inline at offset 32.
- Go 1.13-1.17: two pointers at offset 16 to Go string headers (data pointer, length) elsewhere in the data.

The modinfo text (modules, replacements, build settings, the main module's version) is read by golang_modinfo.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.binfmt import Binary, BinaryFormatError, MarkedExecutables, Section, parse_binary
from regwarden.sbom.catalogers.golang_modinfo import BuildInfo, GoBuildInfoError, Module, main_module, parse_modinfo
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult

BUILDINFO_MAGIC = b"\xff Go buildinf:"
_ALIGN = 16
_FLAG_BIG_ENDIAN = 0x1
_FLAG_INLINE_STRINGS = 0x2
_MODINFO_SENTINEL = 16
_BUILDINFO_SECTIONS = (".go.buildinfo", "__go_buildinfo")
_DATA_SECTIONS = (".data", "__data")
_BUILD_METADATA = ("GOOS", "GOARCH", "vcs.revision", "vcs.time", "vcs.modified")


def find_buildinfo(data: bytes) -> BuildInfo | None:
    """The build info of a Go executable; None when `data` is not an executable built by Go >= 1.13.

    Raises GoBuildInfoError when the magic is present but the content after it is corrupt.
    """
    try:
        binary = parse_binary(data)
    except BinaryFormatError:
        return None  # an unreadable executable gives no sign of being Go
    if binary is None:
        return None
    found = _locate_magic(binary)
    if found is None:
        return None
    version, modinfo = _read_strings(binary, found)
    # The linker wraps modinfo in 16 binary sentinel bytes on each side; only the text between is UTF-8.
    if len(modinfo) >= 2 * _MODINFO_SENTINEL + 1 and modinfo[-_MODINFO_SENTINEL - 1 :].startswith(b"\n"):
        modinfo = modinfo[_MODINFO_SENTINEL:-_MODINFO_SENTINEL]
    return parse_modinfo(_decode(version), _decode(modinfo))


def _locate_magic(binary: Binary) -> bytes | None:
    """The bytes from the magic onwards."""
    section = next((s for name in _BUILDINFO_SECTIONS if (s := binary.section(name))), None)
    if section is not None:
        candidates: Sequence[Section] = (section,)
    elif binary.sections and binary.format == "elf":
        return None  # a Go ELF always carries .go.buildinfo when it has section headers
    else:
        named = [s for name in _DATA_SECTIONS if (s := binary.section(name))]
        candidates = named or [s for s in (binary.segments or binary.sections) if s.writable]
    for candidate in candidates:
        content = binary.content(candidate)
        at = content.find(BUILDINFO_MAGIC)
        while at >= 0 and (candidate.address + at) % _ALIGN:
            at = content.find(BUILDINFO_MAGIC, at + 1)
        if at >= 0:
            return content[at:]
    return None


def _read_strings(binary: Binary, header: bytes) -> tuple[bytes, bytes]:
    if len(header) < 32:
        raise GoBuildInfoError("build info header truncated")
    pointer_size, flags = header[14], header[15]
    if flags & _FLAG_INLINE_STRINGS:
        version, rest = _read_varint_string(header[32:])
        modinfo, _ = _read_varint_string(rest)
        return version, modinfo
    if pointer_size not in (4, 8):
        raise GoBuildInfoError(f"invalid pointer size {pointer_size} in build info header")
    order = ">" if flags & _FLAG_BIG_ENDIAN else "<"
    version_ptr = _pointer(header, 16, pointer_size, order)
    modinfo_ptr = _pointer(header, 16 + pointer_size, pointer_size, order)
    return _read_go_string(binary, version_ptr, pointer_size, order), _read_go_string(
        binary, modinfo_ptr, pointer_size, order
    )


def _pointer(data: bytes, at: int, size: int, order: str) -> int:
    return int.from_bytes(data[at : at + size], "big" if order == ">" else "little")


def _read_go_string(binary: Binary, header_address: int, pointer_size: int, order: str) -> bytes:
    string_header = binary.read_at(header_address, 2 * pointer_size)
    if string_header is None:
        raise GoBuildInfoError(f"string header address {header_address:#x} is not mapped")
    data_ptr = _pointer(string_header, 0, pointer_size, order)
    length = _pointer(string_header, pointer_size, pointer_size, order)
    if length == 0:
        return b""
    content = binary.read_at(data_ptr, length)
    if content is None:
        raise GoBuildInfoError(f"string data at {data_ptr:#x} ({length} bytes) is not mapped")
    return content


def _read_varint_string(data: bytes) -> tuple[bytes, bytes]:
    length, shift, at = 0, 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise GoBuildInfoError("truncated string length in build info")
        byte = data[at]
        length |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            break
    if at + length > len(data):
        raise GoBuildInfoError(f"string of {length} bytes runs past the end of the build info")
    return data[at : at + length], data[at + length :]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GoBuildInfoError(f"build info string is not UTF-8: {exc}") from exc


def go_purl(module_path: str, version: str) -> str:
    namespace, _, name = module_path.rpartition("/")
    return PackageURL(type="golang", namespace=namespace or None, name=name, version=version or None).to_string()


class GoBinaryCataloger:
    """Modules and toolchain of Go executables."""

    name = "go-binary"
    # Without the magic there is no build info to find (find_buildinfo searches for exactly these bytes).
    request = MarkedExecutables(executables=True, max_size=512 * 1024 * 1024, markers=(BUILDINFO_MAGIC,))

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            try:
                info = find_buildinfo(file.content)
            except GoBuildInfoError as exc:
                unknowns.append(Unknown("/" + file.path, f"corrupt Go build info: {exc}", self.name))
                continue
            if info is not None:
                packages.extend(self._packages(info, Location("/" + file.path)))
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))

    def _packages(self, info: BuildInfo, location: Location) -> list[Package]:
        metadata = {key: info.settings[key] for key in _BUILD_METADATA if key in info.settings}
        metadata["go_version"] = info.go_version
        if info.path:
            metadata["main_path"] = info.path
        packages = [self._module_package(module, {}, location, metadata) for module in info.deps]
        if (main := main_module(info)) is not None:
            packages.append(self._module_package(*main, location, metadata))
        # A development toolchain ("devel go1.23-abc") has no release an advisory could name.
        if info.go_version.startswith("go"):
            stdlib_version = info.go_version.removeprefix("go").split()[0]
            stdlib_purl = PackageURL(type="golang", name="stdlib", version=stdlib_version).to_string()
            stdlib = Package(
                "stdlib",
                stdlib_version,
                PackageType.GO_STDLIB,
                stdlib_purl,
                self.name,
                (location,),
                metadata=metadata,
            )
            packages.append(stdlib)
        return packages

    def _module_package(
        self, module: Module, about: dict[str, str], location: Location, metadata: dict[str, str]
    ) -> Package:
        described = {**metadata, **about}
        if module.replaced_by is not None:
            described["replaced_by"] = module.replaced_by
        if module.replaces is not None:
            described["replaces"] = module.replaces
        purl = go_purl(module.path, module.version)
        return Package(
            module.path, module.version, PackageType.GOLANG, purl, self.name, (location,), metadata=described
        )
