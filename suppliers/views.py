"""Supplier pages: dashboard, profile, applications; staff review of applications and standing."""
