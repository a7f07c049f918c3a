from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    demo_order = 50
