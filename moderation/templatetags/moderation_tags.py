from django import template

from moderation.selectors import open_reports_count

register = template.Library()


@register.simple_tag
def open_reports() -> int:
    return open_reports_count()
