"""Catalogue forms: frameworks."""
