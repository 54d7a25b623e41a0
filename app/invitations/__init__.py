"""Invitations: organisers invite people by e-mail to a role in a challenge."""
