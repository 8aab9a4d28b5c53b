"""Engines, sessions, the access-scope function and shared queries."""
