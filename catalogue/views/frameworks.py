"""Catalogue views: frameworks."""
