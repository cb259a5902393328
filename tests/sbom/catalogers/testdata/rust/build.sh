#!/bin/sh
# Rebuilds hello-auditable: a real (tiny, dynamically linked, stripped) Rust executable carrying the
# cargo-auditable dependency data exactly as `cargo auditable build` embeds it: the JSON of dep-v0.json,
# zlib-compressed, in an ELF section named .dep-v0. cargo-auditable itself cannot be installed here
# (no crates.io access), so the section is added with objcopy. Needs rustc, python3 and binutils.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rustc -C prefer-dynamic -C opt-level=s -o "$work/hello" hello.rs
strip "$work/hello"
python3 -c 'import json, sys, zlib
packages = json.load(open("dep-v0.json"))
sys.stdout.buffer.write(zlib.compress(json.dumps(packages, separators=(",", ":")).encode(), 9))' > "$work/dep-v0.zlib"
objcopy --add-section .dep-v0="$work/dep-v0.zlib" --set-section-flags .dep-v0=noload,readonly \
    "$work/hello" hello-auditable
chmod 755 hello-auditable
