from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    demo_order = 20

    def rebuild_derived(self) -> dict:
        from .search_index import reindex_all_published

        count = reindex_all_published()
        return {
            "search_revisions": count,
            "message": f"Rebuilt search fields for {count} published revisions",
        }
