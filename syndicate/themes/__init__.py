"""Themes of the site's pages: the default one ships here (templates/ and static/)."""
