"""One search for every officer's list and for the counter: what an officer types, whatever its form.

    "hong nhung", "NGUYỄN văn an"      any part of the name, without accents or case (every word must appear)
    "0912 345 678", "+84912345678"     the phone in any form (stored E.164); 4+ digits match a part of it
    "079090001234"                     the 12-digit card number (9 for an old ID card); 6+ digits a part of it
    "K7MX-3PQ9-R", "k7mx3pq9", "3PQ9"  the code with or without dashes or its check character, or a part of it

A list declares where each kind of value lives with `SearchFields` and filters with `search_q`; admin classes
use `admin_mixins.SearchAdminMixin`. The name is compared through `SearchText` (the SQL function
`portal_unaccent`): on PostgreSQL an IMMUTABLE wrapper of `unaccent` + `lower` with a trigram (GIN) index on the
same expression (migration backoffice 0004), so `LIKE '%nhung%'` is an index scan; on SQLite the same name is a
Python function registered on every connection (`search_normalize`), so development and tests need nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, F, Func, Q
from django.db.models.lookups import Contains, Exact, IContains

from apps.core.codes import ALPHABET, code_is_valid, code_normalize

from .text import search_normalize

SQL_FUNCTION = "portal_unaccent"
# Shorter parts match too many codes and numbers to be useful in a list.
MIN_CODE_PART = 4
MIN_PHONE_PART = 4
MIN_ID_PART = 6
_SEPARATORS = str.maketrans("", "", " .-()\u2013\u00b7_/")


class SearchText(Func):
    """A text column without accents, in lower case: `SearchText("holder_name")`."""

    function = SQL_FUNCTION
    arity = 1
    output_field = CharField()


def sqlite_register(connection) -> None:
    """Give a new SQLite connection the function PostgreSQL gets from the migration (see apps.ready)."""
    connection.create_function(SQL_FUNCTION, 1, search_normalize, deterministic=True)


@dataclass(frozen=True)
class SearchFields:
    """Where a list keeps each kind of value: paths as in `filter()` ("appointment__phone"), or text expressions
    (`KT("context__name")`)."""

    code: tuple = ()
    # Codes compared whole only (equality: a plain unique index answers), e.g. a message's verification code on
    # a table too big and too often written for a trigram index.
    code_exact: tuple = ()
    phone: tuple = ()
    id_number: tuple = ()
    name: tuple = ()
    # Names stored already as the search compares them (a column generated from `SearchText(name)`, e.g.
    # `Appointment.name_key`): compared as they are, so an index on the column itself answers (a trigram index,
    # and a btree holding it beside the list's order).
    name_key: tuple = ()
    # Other text searched as typed (case-insensitive), e.g. an address.
    text: tuple = ()


@dataclass(frozen=True)
class SearchTerm:
    """What a typed term can stand for; a list matches a row on any of them."""

    code: str = ""  # a whole valid code (check character included)
    code_part: str = ""  # any part of a code (without its check character, or a few characters of it)
    phone: str = ""  # E.164
    phone_part: str = ""  # digits of the national number
    id_number: str = ""
    id_part: str = ""
    words: tuple[str, ...] = ()
    raw: str = ""


def search_term_parse(term: str) -> SearchTerm:
    import phonenumbers

    raw = " ".join((term or "").split())
    if not raw:
        return SearchTerm()
    compact = raw.translate(_SEPARATORS)
    code = code_normalize(raw)
    whole_code = code if code_is_valid(code) else ""
    code_part = code if len(code) >= MIN_CODE_PART and all(ch in ALPHABET for ch in code) else ""
    phone = phone_part = id_number = id_part = ""
    digits = compact.removeprefix("+")
    if digits.isdigit():
        try:
            number = phonenumbers.parse(compact, "VN")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        national = digits[2:] if compact.startswith("+84") else digits.removeprefix("0")
        if len(national) >= MIN_PHONE_PART:
            phone_part = national
        if len(digits) in (9, 12):
            id_number = digits
        elif len(digits) >= MIN_ID_PART and not phone:
            id_part = digits
        words: tuple[str, ...] = ()
    else:
        words = tuple(search_normalize(raw).split())
    return SearchTerm(
        code=whole_code,
        code_part=code_part,
        phone=phone,
        phone_part=phone_part,
        id_number=id_number,
        id_part=id_part,
        words=words,
        raw=raw,
    )


_LOOKUPS = {"exact": Exact, "contains": Contains, "icontains": IContains}


def _expression(path):
    return F(path) if isinstance(path, str) else path


def _any(paths: tuple, lookup: str, value) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        if isinstance(path, str):
            query |= Q(**{f"{path}__{lookup}": value})
        else:  # an expression, e.g. a key of a JSON field as text
            query |= Q(_LOOKUPS[lookup](path, value))
    return query


def search_q(*, term: str, fields: SearchFields) -> Q:
    """A filter for what was typed; matches nothing when the term fits none of the list's fields."""
    parsed = search_term_parse(term)
    query = Q(pk__in=[])
    if not parsed.raw:
        return query
    if parsed.code:
        query |= _any(fields.code, "exact", parsed.code)
    if parsed.code_part:
        query |= _any(fields.code, "contains", parsed.code_part)
    if parsed.code_part or parsed.code:
        query |= _any(fields.code_exact, "exact", parsed.code_part or parsed.code)
    if parsed.phone:
        query |= _any(fields.phone, "exact", parsed.phone)
    if parsed.phone_part:
        query |= _any(fields.phone, "contains", parsed.phone_part)
    if parsed.id_number:
        query |= _any(fields.id_number, "exact", parsed.id_number)
    if parsed.id_part:
        query |= _any(fields.id_number, "contains", parsed.id_part)
    if parsed.words and (fields.name or fields.name_key):
        every_word = Q()
        for word in parsed.words:
            one = Q(pk__in=[])
            for path in fields.name:
                one |= Q(Contains(SearchText(_expression(path)), word))
            for path in fields.name_key:
                one |= Q(Contains(_expression(path), word))
            every_word &= one
        query |= every_word
    if fields.text:
        query |= _any(fields.text, "icontains", parsed.raw)
    return query


# --- PostgreSQL: the function and its trigram indexes (used by migrations) ----------------------------------
POSTGRES_FUNCTION_SQL = f"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION {SQL_FUNCTION}(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
"""
# (app label, model, field, "name" = through the function | "plain" = the column itself)
# (The names of appointments and filings are indexed on their `name_key` since appointments 0006 and filings 0013:
# NAME_KEY_INDEX_TARGETS.)
SEARCH_INDEX_TARGETS = (
    ("appointments", "Appointment", "holder_name", "name"),
    ("appointments", "Appointment", "reference", "plain"),
    ("appointments", "Appointment", "phone", "plain"),
    ("appointments", "Appointment", "id_number", "plain"),
    ("filings", "Filing", "holder_name", "name"),
    ("filings", "Filing", "code", "plain"),
    ("filings", "Filing", "phone", "plain"),
    ("filings", "Filing", "id_number", "plain"),
    ("reports", "Report", "contact_name", "name"),
    ("reports", "Report", "code", "plain"),
    ("reports", "Report", "contact_phone", "plain"),
    ("notifications", "Notification", "phone", "plain"),
)


NAME_KEY_INDEX_TARGETS = (
    ("appointments", "Appointment", "name_key", "plain"),
    ("filings", "Filing", "name_key", "plain"),
)
# What NAME_KEY_INDEX_TARGETS replaces: the same names through the function.
NAME_EXPRESSION_INDEX_TARGETS = (
    ("appointments", "Appointment", "holder_name", "name"),
    ("filings", "Filing", "holder_name", "name"),
)


def search_index_name(table: str, column: str) -> str:
    import hashlib

    name = f"{table}_{column}_srch"
    if len(name) <= 63:
        return name
    return f"{name[:50]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}_srch"


def postgres_search_indexes(apps, schema_editor, targets=SEARCH_INDEX_TARGETS, drop: bool = False) -> None:
    """Create (or drop) the trigram indexes of `targets` on PostgreSQL; nothing on other databases.

    Models or tables that do not exist (an app not installed, a model since replaced) are skipped, so a later
    migration can call this again with its own targets."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    for app_label, model_name, field_name, kind in targets:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        table = model._meta.db_table
        if table not in tables:
            continue
        try:
            column = model._meta.get_field(field_name).column
        except FieldDoesNotExist:
            continue
        qn = schema_editor.quote_name
        index = qn(search_index_name(table, column))
        if drop:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
            continue
        expression = f"{SQL_FUNCTION}({qn(column)})" if kind == "name" else qn(column)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {qn(table)} USING gin (({expression}) gin_trgm_ops)"
        )
