"""Word lists and company names shipped with the offline enrichment backend."""
