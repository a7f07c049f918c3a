"""Catalogue forms: imports."""
