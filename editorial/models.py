# The editorial workflow (AuditEvent, review queue) arrives with the editorial-desk issue.
