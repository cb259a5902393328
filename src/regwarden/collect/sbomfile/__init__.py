"""SBOM and VEX documents → `Sbom` and VEX statements: CycloneDX (JSON, XML), SPDX 2.3 JSON and regwarden's own JSON
(`read` recognises the format), and OpenVEX (`openvex`)."""
