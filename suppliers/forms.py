"""Supplier forms."""
