"""Catalogue views: imports."""
