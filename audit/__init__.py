"""The audit trail: who viewed, downloaded, changed, imported, deleted or signed in, when."""
