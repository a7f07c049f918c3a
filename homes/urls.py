from django.urls import path

from . import views

app_name = "homes"

urlpatterns = [
    path("home/", views.home, name="home"),
    path("staff/", views.staff_home, name="staff_home"),
]
