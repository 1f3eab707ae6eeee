from django import template
from django.core.signals import setting_changed
from django.template.base import TextNode
from django.template.defaulttags import CommentNode
from django.template.library import SimpleNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def switch_language_url(context, language: str) -> str:
    """The address of the current page in another language (same page, same query string)."""
    request = context.get("request")
    home = "/" if language == "vi" else f"/{language}/"
    if request is None:
        return home
    # Only a page of this site is offered in the other language; anything else (a 404 at "//evil.example/",
    # which a browser reads as another site) leads to the home page. The handler has already resolved the page
    # (request.resolver_match); only a page rendered outside it (an error page for a path that did not resolve)
    # is resolved here.
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return home
    full_path = request.get_full_path()
    _path, mark, query = full_path.partition("?")  # the path is escaped: its first "?" starts the query
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    # As django.urls.translate_url, without resolving the path a second time: the page's own name and arguments,
    # reversed in the other language; the current address when it has no name.
    try:
        with translation.override(language):
            url = reverse(name, args=match.args, kwargs=match.kwargs) + mark + query if name else full_path
    except NoReverseMatch:
        url = full_path
    if not url.startswith("/") or url.startswith("//") or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return home
    return url


@register.simple_tag
def portal_path(path: str) -> str:
    """A stable public path (the ones printed on posters and in the Zalo menu) in the current language."""
    language = translation.get_language()
    if language and language != "vi":
        return f"/{language}{path}"
    return path


# --- {% fixed %}: text that is the same on every page view in a language -----------------------------------------

_fixed_generation = 0


def _fixed_forget(**kwargs) -> None:
    """Settings changed (tests): forget every rendered fixed text (static URLs, languages may differ)."""
    global _fixed_generation
    _fixed_generation += 1


setting_changed.connect(_fixed_forget)


def _literal(expression) -> bool:
    """A template value written out in the template ("…", _("…")), without filters."""
    var = expression.var  # a quoted constant is kept resolved (a str), or as a Variable holding it (translate)
    return not expression.filters and (
        isinstance(var, str) or (isinstance(var, template.Variable) and var.literal is not None)
    )


def _fixed_allowed(node) -> bool:
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and node.message_context is None and _literal(node.filter_expression)
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    if isinstance(node, SimpleNode):
        return (
            node.func is portal_path
            and node.target_var is None
            and not node.kwargs
            and all(_literal(arg) for arg in node.args)
        )
    return False


class FixedNode(template.Node):
    """Renders its content once per language and process, then returns that text. Only what cannot differ
    between two requests in a language is allowed inside (checked when the template is compiled)."""

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[tuple[str, bool], str] = {}
        self.generation = _fixed_generation

    def render(self, context):
        if self.generation != _fixed_generation:
            self.rendered, self.generation = {}, _fixed_generation
        key = (translation.get_language(), context.autoescape)
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def fixed(parser, token):
    """`{% fixed %}…{% endfixed %}`: text, `{% translate "…" %}`, `{% portal_path '…' %}` and `{% static '…' %}`
    only, rendered once per language and process instead of on every page view (translations, paths and static
    files' names do not change while a process runs). Anything that could differ per request (a variable, a tag
    that reads the context) is refused when the template is compiled."""
    nodelist = parser.parse(("endfixed",))
    parser.delete_first_token()
    for node in nodelist:
        if not _fixed_allowed(node):
            raise template.TemplateSyntaxError(
                f"{{% fixed %}} may only hold text, {{% translate \"…\" %}}, {{% portal_path '…' %}} and "
                f"{{% static '…' %}}, not {node!r} (line {getattr(node, 'token', None) and node.token.lineno})"
            )
    return FixedNode(nodelist)
