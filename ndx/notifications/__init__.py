"""Notifications for every app: see services.py for the API."""
