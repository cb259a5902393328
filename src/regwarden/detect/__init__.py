"""Audit-log detections: one module per detection in detections/ (explicit ALL_DETECTIONS), run in one streaming
pass by engine.py over `AuditEvent`s, and written as KQL for Azure Monitor alert rules (alert_rules.py)."""
