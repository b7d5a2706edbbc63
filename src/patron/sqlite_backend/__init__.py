"""SQLite as Patron runs it: Django's backend, with the write-ahead log copied back into the
database by a thread of its own (see `base`)."""
