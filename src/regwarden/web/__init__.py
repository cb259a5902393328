"""The web layer: FastAPI apps and routers (the ACR quarantine webhook; the dashboard and API later)."""
