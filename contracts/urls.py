from django.urls import path

from . import views

app_name = "contracts"

# The paths are the ones contracts had while they lived in buying.
urlpatterns = [
    path("buying/contracts/", views.contracts, name="contracts"),
    path("buying/contracts/<id:pk>/", views.contract_detail, name="contract"),
    path("suppliers/contracts/", views.supplier_contracts, name="supplier_contracts"),
    path("suppliers/contracts/<id:pk>/", views.supplier_contract, name="supplier_contract"),
]
