"""DRF's content negotiation, with the common case answered without parsing the Accept header.

Chirp's API views render JSON only. DRF parses the Accept header and orders its media types on
every request, a visible share of a feed page's CPU; when a view has one renderer and the
client accepts anything or exactly that renderer's type, the answer is known without it. Every
other case (a format override, a list of types, a type nothing renders: 406) goes to DRF.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT")
            if accept in (None, "", "*/*", renderer.media_type) and (
                self.settings.URL_FORMAT_OVERRIDE not in request.GET
            ):
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
