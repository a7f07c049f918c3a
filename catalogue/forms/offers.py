"""Catalogue forms: offers."""
