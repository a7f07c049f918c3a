"""Catalogue views: offers."""
