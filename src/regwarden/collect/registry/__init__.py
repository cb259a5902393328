"""Adapters for what registries announce: push, delete, pull and mount notifications (ACR webhooks, Azure Event
Grid, CNCF distribution). `parse_registry_events` is the entry point."""

from __future__ import annotations

from regwarden.collect.registry.events import VALIDATION_EVENT_TYPE, ParsedEvents, parse_registry_events

__all__ = ["VALIDATION_EVENT_TYPE", "ParsedEvents", "parse_registry_events"]
