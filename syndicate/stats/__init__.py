"""`syndicate stats`: downloads per episode, counted from the store's own access logs."""
