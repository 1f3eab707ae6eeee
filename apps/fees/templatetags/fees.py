from django import template

from ..money import vnd as vnd_format

register = template.Library()


@register.filter
def vnd(amount) -> str:
    return vnd_format(int(amount))
