"""Catalogue views, by audience and topic."""
