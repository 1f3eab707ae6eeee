from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def slot_picker(context, picker):
    """The slot picker fragment (appointments/_slot_picker_body.html), from the cache when nothing it shows changed
    (see SlotPickerForm.render_picker)."""
    return picker.render_picker(csrf_token=context.get("csrf_token"))
