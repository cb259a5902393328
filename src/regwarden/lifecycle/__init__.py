"""Lifecycle: purge and retention plans that never delete what runs, their journaled apply, and image locks."""
