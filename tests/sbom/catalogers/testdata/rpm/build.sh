#!/bin/sh
# Builds the rpm database fixtures from real rpm headers. Needs Debian's `rpm` (4.18) and `db5.3-util`.
# The generated files are committed, so the tests never run this script or need rpm installed.
#   sqlite/var/lib/rpm/rpmdb.sqlite        rpm's default backend (rpm --justdb, sqlite)
#   ndb/usr/lib/sysimage/rpm/Packages.db   NDB layout written by ndb_write.py from the same headers
#                                          (Debian's rpm is built without the NDB backend)
#   bdb/var/lib/rpm/Packages               Berkeley DB hash file written by db5.3_load from the same headers
#                                          (Debian's rpm can no longer write BDB; db5.3_load is the real library),
#                                          512-byte pages so every header lies on overflow pages
#   bdb-inline/var/lib/rpm/Packages        the same with 16 KiB pages (headers inline in hash pages) and
#                                          big-endian byte order, as written on s390x or ppc64
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in "$here"/specs/*.spec; do
    rpmbuild --quiet -bb --define "_topdir $work/build" --define "_build_id_links none" "$spec"
done
rpms=$(find "$work/build/RPMS" -name '*.rpm' | sort)
rm -rf "$here/sqlite" "$here/ndb" "$here/bdb" "$here/bdb-inline"
mkdir -p "$here/sqlite/var/lib/rpm" "$here/ndb/usr/lib/sysimage/rpm" "$here/bdb/var/lib/rpm" \
    "$here/bdb-inline/var/lib/rpm"
rpm --root "$work/root-sqlite" --dbpath /var/lib/rpm --initdb
rpm --root "$work/root-sqlite" --dbpath /var/lib/rpm -i --nodeps --justdb --ignorearch --ignoreos $rpms
cp "$work/root-sqlite/var/lib/rpm/rpmdb.sqlite" "$here/sqlite/var/lib/rpm/rpmdb.sqlite"
python3 "$here/ndb_write.py" "$here/sqlite/var/lib/rpm/rpmdb.sqlite" \
    > "$here/ndb/usr/lib/sysimage/rpm/Packages.db"
# BDB: key = header number (4 bytes, native order as rpm wrote it), value = the installed header blob exported
# as rpm stored it in the sqlite db.
python3 "$here/bdb_dump.py" "$here/sqlite/var/lib/rpm/rpmdb.sqlite" > "$work/packages.dump"
db5.3_load -t hash -c db_pagesize=512 -f "$work/packages.dump" "$here/bdb/var/lib/rpm/Packages"
db5.3_load -t hash -c db_pagesize=16384 -c db_lorder=4321 -f "$work/packages.dump" \
    "$here/bdb-inline/var/lib/rpm/Packages"
