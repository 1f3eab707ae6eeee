"""The identity card has no model of its own: its filings are `apps.filings.models.Filing` rows of the procedure
`cap-cccd`, its drafts `apps.filings.models.Draft` rows (see docs/ARCHITECTURE.md, "filings")."""
