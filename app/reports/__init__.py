"""What organisers and administrators take out of Madrina or look back at: the audit log,
exports as spreadsheets, and calendars. Above every domain, as it reads them all."""
