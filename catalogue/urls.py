from django.urls import path  # noqa: F401

from .views import frameworks, imports, offers  # noqa: F401

app_name = "catalogue"

# Staff pages for frameworks, lots and declaration questions (views/frameworks.py).
framework_patterns: list = []

# Supplier offer editing, staff review queue, public offer pages (views/offers.py).
offer_patterns: list = []

# Staff catalogue uploads (views/imports.py).
import_patterns: list = []

urlpatterns = framework_patterns + offer_patterns + import_patterns
