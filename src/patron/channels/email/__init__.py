"""Email in: reading raw messages, recognising automated mail and finding the case a reply
belongs to."""
