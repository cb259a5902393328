"""Trust: verify Notary Project (Notation) and cosign / Sigstore signatures, and create Notation signatures.

Everything here is pure verification over artifacts already fetched; fetching is in `regwarden.service.trust`.

The API an admission controller (or any caller deciding on an image) uses is one function::

    from regwarden.service.trust import verify_image
    from regwarden.signing.policy import load_policy

    policy = load_policy(Path("policy.yaml"))          # load once, reuse for every decision
    result = verify_image("myreg.azurecr.io/app@sha256:…", policy, client)   # client: oci.client.RegistryClient
    result.passed        # bool: the policy is met (a `skip` policy passes with result.skipped = True)
    result.reason        # model.trust.FailureReason when not passed (no-signature, untrusted-certificate, …)
    result.digest        # the manifest digest the decision is about (a tag was resolved once)
    result.verdicts      # one SignatureVerdict per signature found: kind, signer, checks with reasons

`verify_image(reference, policy, client, *, now=None, fetch_crl=None)` resolves a tag to its digest, fetches the
signatures attached to it (referrers API, its tag-schema fallback, cosign's `.sig` tag) and calls the pure
`signing.verify.verify_signatures(subject, artifacts, policy, now=…, fetch_crl=…)`, which a caller holding the
artifacts already (a cache, a test) may call directly. `fetch_crl(url) -> bytes | None` downloads CRLs; pass
`lambda url: None` to stay offline. Results are frozen dataclasses (`model/trust.py`); `report.trust_json.
verification_document(result)` is their JSON form, fit for a decision log.

Modules: `envelope` (format-neutral envelope) with `jws` and `cose` (pycose); `algorithms`; `certificates`
(chain requirements); `truststore` and `trust_policy` (Notary Project documents); `identity` (x509 subjects,
Fulcio identities); `timestamp` (RFC 3161); `revocation` (CRLs); `notation` (one Notary Project signature);
`cosign` (simple signing, keys and certificates) with `rekor` (the logged time); `sigstore_bundle`
(sigstore-python, offline); `policy` (regwarden's policy file); `verify` (the decision over all signatures);
`sign` (create a Notation JWS signature).
"""
