"""Page-number pagination inside the success envelope."""

from rest_framework import pagination, serializers
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N` (1-based) and `?page_size=M`; the rows go under `results_key`, next to the links."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    results_key = "results"

    def get_paginated_response(self, data) -> Response:
        assert self.page is not None, "paginate_queryset() runs first"
        return Response(
            {
                "result": True,
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                self.results_key: data,
            }
        )


def page_envelope_serializer(name: str, results_key: str, row: serializers.Serializer) -> type:
    """The OpenAPI shape of a paginated response whose rows are `row`."""
    fields = {
        "result": serializers.BooleanField(default=True),
        "count": serializers.IntegerField(help_text="Rows on all pages."),
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
        results_key: row,
    }
    return type(name, (serializers.Serializer,), fields)
