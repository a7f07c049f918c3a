from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The smallest Django view: the baseline for throughput."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("ndx.urls"))]
