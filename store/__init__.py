"""Legwork's data layer: tables, rules and queries. Knows nothing of the UI."""
