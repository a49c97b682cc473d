"""Legwork's terminal interface. Talks to the database only through ``store``."""
