"""Telling people what concerns them: one e-mail per (kind, subject, recipient), queued in
the outbox's transaction, in the recipient's language, unless they opted out. Above every
domain, as it reads them all to find who is concerned."""
