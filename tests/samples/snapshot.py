"""Paths and expectations shared by the sample tests: the bundled demo images and advisory snapshot."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
ADVISORIES = SAMPLES / "advisories"
ADVISORY_UPDATE = SAMPLES / "advisory-update"
DEMO_1_0 = SAMPLES / "demo.oci.tar"
DEMO_1_1 = SAMPLES / "demo-1.1.oci.tar"

PYPA_IDS = {
    "PYSEC-2017-98",
    "PYSEC-2018-32",
    "PYSEC-2019-132",
    "PYSEC-2019-133",
    "PYSEC-2020-148",
    "PYSEC-2020-149",
    "PYSEC-2021-108",
    "PYSEC-2021-59",
    "PYSEC-2023-192",
    "PYSEC-2023-207",
    "PYSEC-2023-212",
    "PYSEC-2014-8",
    "PYSEC-2014-82",
    "PYSEC-2019-217",
    "PYSEC-2019-220",
    "PYSEC-2021-66",
    "PYSEC-2024-60",
}
GHSA_IDS = {
    "GHSA-g4mx-q9vg-27p4",
    "GHSA-gwvm-45gx-3cf8",
    "GHSA-mh33-7rrq-662w",
    "GHSA-q2q7-5pp4-w6pg",
    "GHSA-r64q-w8jr-g9qp",
    "GHSA-v845-jxx5-vc9f",
    "GHSA-wqvq-5m8c-6g24",
    "GHSA-462w-v97r-4m45",
    "GHSA-g3rq-g295-4j3m",
    "GHSA-h5c8-rqwp-cp95",
    "GHSA-29mw-wpgm-hmr9",
    "GHSA-35jh-r3h4-6jhm",
    "GHSA-jf85-cpcp-j695",
    "GHSA-p6mc-m468-83gw",
}
UPDATE_IDS = {"GHSA-34jh-p97f-mpxf", "GHSA-h75v-3vvj-5mfj"}
"""The newest two records, in samples/advisory-update: what the demo imports after cataloguing the images."""
