from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    demo_order = 50

    def personal_data(self, user) -> dict:
        from .personal_data import reviews_personal_data

        return reviews_personal_data(user)
