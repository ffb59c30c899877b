"""SCIM 2.0 (RFC 7643/7644) wire format for Chirp's users: the User resource both ways, PATCH
operations and the one filter directories send. Reading a body yields UserState, the attributes
Chirp keeps; everything else in the User schema is accepted and ignored, anything outside it is
refused."""

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import User

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# The core User schema's attributes (RFC 7643 section 4.1) that Chirp does not keep: a directory
# may send them, and they are ignored. Lower case: attribute names are case-insensitive.
IGNORED = {
    "id",
    "externalid",
    "meta",
    "nickname",
    "profileurl",
    "usertype",
    "preferredlanguage",
    "locale",
    "timezone",
    "phonenumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509certificates",
}
ENTERPRISE_IGNORED = {"employeenumber", "costcenter", "organization", "division", "manager"}


class ScimError(Exception):
    """A refusal in SCIM's own terms: HTTP status, `scimType` (RFC 7644 section 3.12) and detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def invalid(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


@dataclass(frozen=True)
class UserState:
    """What a SCIM User says about the attributes Chirp keeps."""

    username: str
    name: str
    email: str = ""
    active: bool = True
    title: str = ""
    department: str = ""
    password: str | None = None


def _text(value: Any, attribute: str, max_length: int = 150, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise invalid(f"'{attribute}' must be a string.")
    value = value.strip()
    if "\x00" in value:
        raise invalid(f"'{attribute}' must not contain null characters.")
    if len(value) > max_length:
        raise invalid(f"'{attribute}' may have at most {max_length} characters.")
    if required and not value:
        raise invalid(f"'{attribute}' is required.")
    return value


def _username(value: Any) -> str:
    username = _text(value, "userName", required=True)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise invalid("'userName' may contain only letters, digits and @ . + - _ characters.") from None
    return username


def _boolean(value: Any, attribute: str) -> bool:
    # Entra ID sends PATCH values such as "False" as strings.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise invalid(f"'{attribute}' must be a boolean.")
    return value


def _email(value: Any) -> str:
    """The primary (else the first) address of a SCIM `emails` list."""
    if value is None:
        return ""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid("'emails' must be a list of objects with a 'value'.")
    if not value:
        return ""
    chosen = next((item for item in value if item.get("primary") is True), value[0])
    return _address(chosen.get("value"))


def _address(value: Any) -> str:
    address = _text(value, "emails.value", 254)
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise invalid(f"'{address}' is not an email address.") from None
    return address


def _display_name(body: dict[str, Any], username: str) -> str:
    name = body.get("name")
    if name is not None and not isinstance(name, dict):
        raise invalid("'name' must be an object.")
    name = {key.lower(): value for key, value in (name or {}).items()}
    display = _text(body.get("displayname"), "displayName")
    formatted = _text(name.get("formatted"), "name.formatted")
    parts = [_text(name.get(key), f"name.{key}") for key in ("givenname", "familyname")]
    return display or formatted or " ".join(part for part in parts if part) or username


def _lowered(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid(f"{what} must be a JSON object.", "invalidSyntax")
    return {key.lower(): value for key, value in body.items()}


def user_state_from_resource(raw: Any) -> UserState:
    """A full User resource (POST, PUT): unknown attributes or schemas are refused, nothing guessed."""
    body = _lowered(raw, "The body")
    schemas = body.pop("schemas", None)
    if not isinstance(schemas, list) or CORE not in schemas:
        raise invalid(f"'schemas' must list {CORE}.", "invalidSyntax")
    unknown_schemas = set(schemas) - {CORE, ENTERPRISE}
    if unknown_schemas:
        raise invalid(f"Unknown schema {sorted(unknown_schemas)[0]}.", "invalidSyntax")
    enterprise = _lowered(body.pop(ENTERPRISE.lower(), None) or {}, f"'{ENTERPRISE}'")
    known = {"username", "name", "displayname", "emails", "active", "title", "password"} | IGNORED
    unknown = sorted(set(body) - known) or sorted(set(enterprise) - ENTERPRISE_IGNORED - {"department"})
    if unknown:
        raise invalid(f"Unknown attribute '{unknown[0]}'.", "invalidSyntax")
    username = _username(body.get("username"))
    password = body.get("password")
    if password is not None and (not isinstance(password, str) or not password or "\x00" in password):
        raise invalid("'password' must be a non-empty string.")
    return UserState(
        username=username,
        name=_display_name(body, username),
        email=_email(body.get("emails")),
        active=True if body.get("active") is None else _boolean(body["active"], "active"),
        title=_text(body.get("title"), "title"),
        department=_text(enterprise.get("department"), "department"),
        password=password,
    )


def user_state(user: User) -> UserState:
    return UserState(
        username=user.username,
        name=user.name,
        email=user.email,
        active=user.is_active,
        title=user.title,
        department=user.department,
    )


# PATCH paths Chirp applies, lower case. `emails[type eq "work"].value` is how Entra ID sends mail.
_EMAIL_PATHS = {"emails", "emails.value", 'emails[type eq "work"].value', "emails[primary eq true].value"}
_IGNORED_PATHS = {"name.givenname", "name.familyname", "name.middlename", "name.honorificprefix"}


def _patch_one(state: UserState, op: str, path: str, value: Any) -> UserState:
    """One PATCH operation on one attribute path (already lower case)."""
    removing = op == "remove"
    if path.startswith(ENTERPRISE.lower() + ":"):
        attribute = path[len(ENTERPRISE) + 1 :]
        if attribute == "department":
            return replace(state, department="" if removing else _text(value, "department"))
        if attribute in ENTERPRISE_IGNORED or attribute.startswith("manager"):
            return state
    elif path == ENTERPRISE.lower():
        if removing:
            return replace(state, department="")
        extension = _lowered(value, f"'{ENTERPRISE}'")
        for attribute, item in extension.items():
            state = _patch_one(state, op, f"{ENTERPRISE.lower()}:{attribute}", item)
        return state
    elif path == "active":
        if removing:
            raise invalid("'active' cannot be removed.", "mutability")
        return replace(state, active=_boolean(value, "active"))
    elif path == "username":
        if removing:
            raise invalid("'userName' cannot be removed.", "mutability")
        return replace(state, username=_username(value))
    elif path in ("displayname", "name.formatted"):
        return replace(state, name=state.username if removing else _text(value, path) or state.username)
    elif path == "name":
        if removing:
            return replace(state, name=state.username)
        return replace(state, name=_display_name({"name": value}, state.username))
    elif path == "title":
        return replace(state, title="" if removing else _text(value, "title"))
    elif path in _EMAIL_PATHS:
        if removing:
            return replace(state, email="")
        return replace(state, email=_email(value) if path == "emails" else _address(value))
    elif path == "password":
        if removing or not isinstance(value, str) or not value or "\x00" in value:
            raise invalid("'password' must be a non-empty string.")
        return replace(state, password=value)
    elif path in IGNORED or path.split(".")[0].split("[")[0] in IGNORED or path in _IGNORED_PATHS:
        return state
    raise invalid(f"Unknown or unsupported path '{path}'.", "invalidPath")


def user_state_patched(state: UserState, raw: Any) -> UserState:
    """Apply a PatchOp body's operations, in order, to a user's state; all of them or none."""
    body = _lowered(raw, "The body")
    if not isinstance(body.get("schemas"), list) or PATCH_OP not in body["schemas"]:
        raise invalid(f"'schemas' must list {PATCH_OP}.", "invalidSyntax")
    operations = body.get("operations")
    if not isinstance(operations, list) or not operations:
        raise invalid("'Operations' must be a non-empty list.", "invalidSyntax")
    for raw_operation in operations:
        operation = _lowered(raw_operation, "Each operation")
        op = operation.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise invalid("Each operation's 'op' must be add, replace or remove.", "invalidSyntax")
        op = op.lower()
        path = operation.get("path")
        if path is not None:
            if not isinstance(path, str):
                raise invalid("'path' must be a string.", "invalidPath")
            state = _patch_one(state, op, path.strip().lower(), operation.get("value"))
        elif op == "remove":
            raise invalid("A remove operation needs a 'path'.", "noTarget")
        else:
            # No path: the value is an object of attributes (Entra ID also sends dotted names here).
            for attribute, value in _lowered(operation.get("value"), "A value without a path").items():
                state = _patch_one(state, op, attribute, value)
    return state


def user_resource(user: User, *, base: str) -> dict[str, Any]:
    """A user as a SCIM User resource; `base` is the service's root, e.g. https://host/scim/v2."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "id": str(user.pk),
        "userName": user.username,
        "name": {"formatted": user.name},
        "displayName": user.name,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "active": user.is_active,
        "title": user.title,
        ENTERPRISE: {"department": user.department},
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "location": f"{base}/Users/{user.pk}",
        },
    }


_FILTER = re.compile(r'^\s*([A-Za-z][\w.:\[\]" ]*?)\s+(eq)\s+("(?:[^"\\]|\\.)*")\s*$', re.IGNORECASE)
FILTER_ATTRIBUTES = {"username": "username", "emails": "email", "emails.value": "email", "id": "id"}


def filter_parse(raw: str) -> tuple[str, str]:
    """`userName eq "ada"` (also emails, emails.value, id) as (field, value); the only filters
    directories send to find an account before creating it. Anything else: invalidFilter."""
    if len(raw) > 1000:
        raise invalid("The filter is too long.", "invalidFilter")
    match = _FILTER.match(raw)
    if match is None:
        raise invalid(
            'Unsupported filter: use userName eq "...", emails.value eq "..." or id eq "...".',
            "invalidFilter",
        )
    attribute, _, literal = match.groups()
    field = FILTER_ATTRIBUTES.get(attribute.lower())
    if field is None:
        raise invalid(f"Filtering on '{attribute}' is not supported.", "invalidFilter")
    try:
        value = json.loads(literal)
    except ValueError:
        raise invalid("The filter's value is not a valid string.", "invalidFilter") from None
    if "\x00" in value:
        raise invalid("The filter's value must not contain null characters.", "invalidFilter")
    return field, value
