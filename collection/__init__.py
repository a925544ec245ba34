"""The regional library's own catalogue and fund; owns the database base and sessions."""
