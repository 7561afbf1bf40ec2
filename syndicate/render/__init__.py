"""Rendering: feeds (feedgen) and plain HTML pages."""
