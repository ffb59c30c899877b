"""A URL configuration with a CSRF-protected plain Django view under /api/."""

from django.http import HttpResponse
from django.urls import path


def form_view(request):
    return HttpResponse("accepted")


urlpatterns = [path("api/form", form_view)]
