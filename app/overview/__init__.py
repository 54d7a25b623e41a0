"""Pages that bring several domains together: the home page and the challenge page.

They sit above every domain (see the import contract in pyproject.toml), so a domain never
imports another one above it to show something on its pages.
"""
