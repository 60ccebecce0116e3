"""The app's routes: pages, the REST API under /api/v1, and the CDS Hooks service."""
