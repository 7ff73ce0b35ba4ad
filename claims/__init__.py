"""What was said and what it cites: articles, claims, sources, snapshots, evidence."""
