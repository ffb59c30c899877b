"""A URL configuration with one view that fails, to see how an application error is logged."""

from django.urls import path
from rest_framework.views import APIView


class BrokenView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("the view failed")


urlpatterns = [path("api/broken", BrokenView.as_view(), name="broken")]
