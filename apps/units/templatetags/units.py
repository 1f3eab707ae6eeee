from django import template

register = template.Library()


@register.simple_tag
def unit_card(unit):
    """A unit's card (apps.units.cards): the unit with its phones prefetched and `hours_summary` set."""
    from apps.units.cards import card_unit_from_model, unit_card_html

    return unit_card_html(card_unit_from_model(unit))
