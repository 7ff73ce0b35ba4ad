"""The REST API, versioned under /api/v1/: published verdicts, ingestion and the desk's tooling."""
