"""Which distribution an image is: etc/os-release first, then the distributions' own release files.

os-release follows the freedesktop.org spec (shell-style assignments, quoting and backslash escapes,
comments); `etc/os-release` takes precedence over `usr/lib/os-release`. Images without it (old CentOS, some
Debian-derived images) still name themselves in `etc/debian_version`, `etc/alpine-release` or
`etc/*-release` text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from regwarden.model.sbom import OperatingSystem

OS_RELEASE_FILES = ("etc/os-release", "usr/lib/os-release")
# Most specific first: CentOS, Rocky and Alma images also ship an etc/redhat-release naming themselves.
_RELEASE_TEXT_FILES = (
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/centos-release",
    "etc/fedora-release",
    "etc/oracle-release",
    "etc/redhat-release",
    "etc/system-release",
)
OS_RELEASE_PATHS: tuple[str, ...] = (
    *OS_RELEASE_FILES,
    "etc/debian_version",
    "etc/alpine-release",
    *_RELEASE_TEXT_FILES,
)
"""Every path `detect_operating_system` may read (no leading slash); the core hands over those present."""

# Release-text names to os-release IDs; the first match wins, so longer names come first.
_RELEASE_NAME_IDS = (
    ("red hat enterprise linux", "rhel"),
    ("centos", "centos"),
    ("rocky linux", "rocky"),
    ("almalinux", "almalinux"),
    ("fedora", "fedora"),
    ("oracle linux", "ol"),
    ("amazon linux", "amzn"),
)
_RELEASE_TEXT = re.compile(r"^(?P<name>.+?)\s+release\s+(?P<version>\d[\w.]*)", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\')


def detect_operating_system(files: Mapping[str, bytes]) -> OperatingSystem | None:
    """The image's distribution from those `OS_RELEASE_PATHS` files that exist; None when none names one."""
    for path in OS_RELEASE_FILES:
        if path in files:
            found = _from_os_release(parse_os_release(_text(files[path])), files)
            if found is not None:
                return found
    if "etc/alpine-release" in files:
        return OperatingSystem(id="alpine", version_id=_first_line(files["etc/alpine-release"]) or None)
    if "etc/debian_version" in files:
        return _from_debian_version(_first_line(files["etc/debian_version"]))
    for path in _RELEASE_TEXT_FILES:
        if path in files:
            found = _from_release_text(_first_line(files[path]))
            if found is not None:
                return found
    return None


def distro_qualifier(operating_system: OperatingSystem | None) -> str | None:
    """The purl `distro` qualifier, `<id>-<version_id>` (e.g. `debian-12`); None when the OS is unknown."""
    if operating_system is None:
        return None
    if operating_system.version_id:
        return f"{operating_system.id}-{operating_system.version_id}"
    return operating_system.id


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=VALUE assignments of an os-release file; other lines are skipped, as the spec says."""
    values: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw_value = line.partition("=")
        if _KEY.match(key):
            values[key] = _unquote(raw_value)
    return values


def _unquote(raw: str) -> str:
    """Shell-style word: double quotes honour \\ before $ ` " \\, single quotes are literal, outside quotes a
    backslash escapes the next character; quoted and unquoted parts concatenate."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(raw):
        char = raw[index]
        index += 1
        if quote == "'":
            if char == "'":
                quote = None
            else:
                out.append(char)
        elif char == "\\" and index < len(raw) and (quote is None or raw[index] in _DOUBLE_QUOTE_ESCAPES):
            out.append(raw[index])
            index += 1
        elif char == '"' or (char == "'" and quote is None):
            quote = None if quote == char else char
        elif quote is None and char.isspace():
            break  # an unquoted blank ends the word (a trailing comment or garbage follows)
        else:
            out.append(char)
    return "".join(out)


def _from_os_release(values: Mapping[str, str], files: Mapping[str, bytes]) -> OperatingSystem | None:
    os_id = values.get("ID", "").strip().lower()
    if not os_id:
        return None
    version_id = values.get("VERSION_ID") or None
    codename = values.get("VERSION_CODENAME") or None
    if os_id == "debian" and version_id is None and "etc/debian_version" in files:
        # Debian testing/sid has no VERSION_ID; a version in debian_version is still better than nothing.
        fallback = _from_debian_version(_first_line(files["etc/debian_version"]))
        version_id = fallback.version_id
        codename = codename or fallback.version_codename
    return OperatingSystem(
        id=os_id,
        version_id=version_id,
        pretty_name=values.get("PRETTY_NAME") or None,
        version_codename=codename,
        id_like=tuple(values.get("ID_LIKE", "").lower().split()),
    )


def _from_debian_version(line: str) -> OperatingSystem:
    """`12.5` is a release; `bookworm/sid` is testing or unstable, which has a codename but no version."""
    if line[:1].isdigit():
        return OperatingSystem(id="debian", version_id=line)
    codename = line.split("/", 1)[0] or None
    return OperatingSystem(id="debian", version_id=None, version_codename=codename)


def _from_release_text(line: str) -> OperatingSystem | None:
    """`Red Hat Enterprise Linux release 8.9 (Ootpa)`, `CentOS Linux release 7.9.2009 (Core)`, ..."""
    match = _RELEASE_TEXT.match(line)
    if match is None:
        return None
    name = match["name"].lower()
    os_id = next((known for prefix, known in _RELEASE_NAME_IDS if name.startswith(prefix)), None)
    if os_id is None:
        return None
    return OperatingSystem(id=os_id, version_id=match["version"], pretty_name=line)


def _first_line(content: bytes) -> str:
    lines = _text(content).strip().splitlines()
    return lines[0].strip() if lines else ""


def _text(content: bytes) -> str:
    # A byte-order mark (files written by Windows editors) would otherwise glue itself to the first key.
    return content.decode("utf-8-sig", errors="replace")
