from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "Market engagement and supplier directory"
    demo_order = 45  # after matching (40), before reviews (50) and reporting (60)

    def rebuild_derived(self) -> dict:
        from .services.directory import directory_terms_rebuild

        count = directory_terms_rebuild()
        return {"market_members": count, "message": f"Rebuilt {count} directory members' terms"}
