"""Jobs: the inventory's units of work (sync a registry or a cluster, catalog one digest, update advisories and
re-match, deliver events, one watch round), run in-process by default and on Celery workers when
`REGWARDEN_BROKER` is set. The same job functions run either way; the jobs table in the store makes them keyed,
claimed and visible (store/jobs.py)."""
