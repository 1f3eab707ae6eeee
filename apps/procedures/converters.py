from .forms.registry import registered_slugs


class RegisteredProcedureConverter:
    """Matches only the slugs of procedures with a registered form.

    Any other slug (notably the identity card's `cap-cccd`, whose journey lives in apps.declarations) does not
    match, so Django goes on to the next URL pattern whatever the order of the includes in config/urls.py.
    The check is made per request, so a form registered at run time (a fifth procedure) is routed at once.
    """

    regex = "[-a-z0-9]+"

    def to_python(self, value: str) -> str:
        if value not in registered_slugs():
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value
