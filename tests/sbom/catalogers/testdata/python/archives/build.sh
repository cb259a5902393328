#!/bin/sh
# Rebuilds the archive fixtures from src/tinyjson with setuptools, exactly as a user's build would:
#   tinyjson-0.9.2-py3-none-any.whl   pip wheel (setuptools backend)
#   tinyjson-0.9.2-py3.11.egg         setup.py bdist_egg (what easy_install installs as a zipped egg)
#   noversion-0.0-py3.11.egg          the same egg with the Version line removed from EGG-INFO/PKG-INFO
# Needs python3 (3.11) and PyPI for setuptools < 80 (the last with bdist_egg) and wheel, in a throw-away venv.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "setuptools>=68,<80" wheel
cp -r src/tinyjson "$work/"
cd "$work/tinyjson"
"$work/venv/bin/pip" wheel --quiet --no-deps --no-build-isolation --no-index -w "$work/dist" .
"$work/venv/bin/python" setup.py --quiet bdist_egg --dist-dir "$work/dist" >/dev/null 2>&1
cd - >/dev/null
cp "$work/dist/tinyjson-0.9.2-py3-none-any.whl" .
cp "$work/dist/tinyjson-0.9.2-py3.11.egg" .
"$work/venv/bin/python" - <<'PY'
import zipfile
with zipfile.ZipFile("tinyjson-0.9.2-py3.11.egg") as source, zipfile.ZipFile("noversion-0.0-py3.11.egg", "w") as out:
    for item in source.infolist():
        data = source.read(item)
        if item.filename == "EGG-INFO/PKG-INFO":
            data = b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"Version:"))
        out.writestr(item, data)
PY
