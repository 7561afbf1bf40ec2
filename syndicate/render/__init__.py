"""Rendering: feeds (feedgen) and the pages, from a Jinja2 theme."""
