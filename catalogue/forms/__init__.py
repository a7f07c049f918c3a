"""Catalogue forms, by topic."""
