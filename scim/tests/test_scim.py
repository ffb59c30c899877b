"""SCIM 2.0 provisioning, driven the way a directory (Entra ID, Okta) drives it: HTTP requests
to the live test server with the bearer token, bodies shaped like theirs."""

import re

import pytest
import requests

from accounts.models import User
from accounts.services import api_key_set, user_create
from scim.resources import CORE, ENTERPRISE, ERROR, LIST_RESPONSE, PATCH_OP
from tweets.models import Tweet
from tweets.services import tweet_create

TOKEN = "scim-test-token-0123456789-abcdefghijklmnop"
PASSWORD = "directory given passphrase 5"


class Directory:
    """A SCIM client, as a company directory's provisioning agent is one."""

    def __init__(self, base: str, token: str | None = TOKEN):
        self.base = f"{base}/scim/v2"
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/scim+json"
        if token is not None:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        if "json" in kwargs:
            kwargs.setdefault("headers", {})["Content-Type"] = "application/scim+json"
        return self.http.request(method, self.base + path, timeout=30, **kwargs)

    def create(self, **attributes) -> requests.Response:
        return self.request("POST", "/Users", json=entra_user(**attributes))

    def patch(self, user_id, *operations: dict) -> requests.Response:
        body = {"schemas": [PATCH_OP], "Operations": list(operations)}
        return self.request("PATCH", f"/Users/{user_id}", json=body)


def entra_user(user_name: str = "ada@contoso.example", **extra) -> dict:
    """A create request as Entra ID sends it (attributes Chirp does not keep included)."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "ada",
        "userName": user_name,
        "active": True,
        "displayName": "Ada Lovelace",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
        "title": "Analyst",
        "phoneNumbers": [{"type": "work", "value": "+44 20 0000 0000"}],
        "locale": "en-GB",
        ENTERPRISE: {"department": "Engines", "employeeNumber": "1815"},
        **extra,
    }


def assert_scim_error(response: requests.Response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body["detail"].strip() and "Traceback" not in body["detail"]
    assert body.get("scimType") == scim_type
    return body


@pytest.fixture
def directory(live_server, settings):
    settings.SCIM_TOKEN = TOKEN
    return Directory(live_server.url)


def test_directory_creates_finds_and_deactivates_a_person(directory, live_server, settings):
    """Create, filter, PATCH active false: the person's api key, JWT and web session stop at once;
    their tweets stay, hidden."""
    # The live test server speaks plain HTTP, where a browser would not send Secure cookies.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    created = directory.create(password=PASSWORD)
    assert created.status_code == 201, created.text
    resource = created.json()
    assert created.headers["Location"] == resource["meta"]["location"]
    assert resource["userName"] == "ada@contoso.example"
    assert resource["displayName"] == "Ada Lovelace"
    assert resource["title"] == "Analyst"
    assert resource[ENTERPRISE] == {"department": "Engines"}
    assert "password" not in resource

    found = directory.request("GET", "/Users", params={"filter": 'userName eq "ADA@contoso.example"'})
    assert found.status_code == 200
    listing = found.json()
    assert listing["schemas"] == [LIST_RESPONSE]
    assert listing["totalResults"] == 1
    assert listing["Resources"][0]["id"] == resource["id"]

    # The person uses Chirp: an api key, a JWT, a web session, a tweet.
    user = User.objects.get(pk=int(resource["id"]))
    key = api_key_set(user=user)
    tweet = tweet_create(author=user, content="Hello from the directory", media_ids=[])
    tokens = requests.post(
        f"{live_server.url}/api/auth/token",
        json={"username": "ada@contoso.example", "password": PASSWORD},
        timeout=30,
    ).json()
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/", timeout=30).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    signed_in = browser.post(
        f"{live_server.url}/sign-in/",
        data={"login": "ada@contoso.example", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/"},
        timeout=30,
    )
    assert "Sign out" in signed_in.text
    assert requests.get(f"{live_server.url}/api/users/me", headers={"api-key": key}, timeout=30).ok

    patched = directory.patch(resource["id"], {"op": "Replace", "path": "active", "value": "False"})

    assert patched.status_code == 200, patched.text
    assert patched.json()["active"] is False
    me = f"{live_server.url}/api/users/me"
    assert requests.get(me, headers={"api-key": key}, timeout=30).status_code == 401
    bearer = {"Authorization": f"Bearer {tokens['access']}"}
    assert requests.get(me, headers=bearer, timeout=30).status_code == 401
    refreshed = requests.post(
        f"{live_server.url}/api/auth/token/refresh", json={"refresh": tokens["refresh"]}
    )
    assert refreshed.status_code == 401
    assert "Sign out" not in browser.get(f"{live_server.url}/settings/", timeout=30).text
    assert Tweet.objects.filter(pk=tweet.pk).exists()
    _colleague, colleague_key = user_create(name="Colleague")
    profile = requests.get(f"{live_server.url}/api/users/{user.pk}", headers={"api-key": colleague_key})
    assert profile.status_code == 404


def test_replace_and_patch_keep_the_profile_in_step(directory):
    """PUT replaces what Chirp keeps; PATCH with paths (Entra's) or without (Okta's) updates it."""
    user_id = directory.create().json()["id"]

    replaced = directory.request(
        "PUT",
        f"/Users/{user_id}",
        json=entra_user("ada.byron@contoso.example", displayName="Ada Byron", title="Head of Analysis"),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["userName"] == "ada.byron@contoso.example"

    patched = directory.patch(
        user_id,
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "countess@contoso.example"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Difference Engines"},
        {"op": "replace", "value": {"displayName": "Countess of Lovelace", "name.givenName": "Ada"}},
        {"op": "remove", "path": "title"},
    )

    assert patched.status_code == 200, patched.text
    user = User.objects.get(pk=int(user_id))
    assert (user.username, user.name, user.email, user.title, user.department) == (
        "ada.byron@contoso.example",
        "Countess of Lovelace",
        "countess@contoso.example",
        "",
        "Difference Engines",
    )
    assert directory.request("GET", f"/Users/{user_id}").json()["displayName"] == "Countess of Lovelace"


def test_delete_deactivates_and_patch_reactivates(directory):
    """DELETE deactivates, keeping the account and its tweets; active true brings it back."""
    user_id = directory.create().json()["id"]
    tweet_create(author=User.objects.get(pk=int(user_id)), content="Still here", media_ids=[])

    deleted = directory.request("DELETE", f"/Users/{user_id}")

    assert deleted.status_code == 204
    assert directory.request("GET", f"/Users/{user_id}").json()["active"] is False
    assert Tweet.objects.filter(author_id=int(user_id)).count() == 1
    again = directory.patch(user_id, {"op": "replace", "value": {"active": True}})
    assert again.json()["active"] is True


def test_requests_without_the_right_token_are_refused(directory, live_server):
    """No token, a wrong one, another scheme: 401 with a Bearer challenge; nothing is listed."""
    user_create(name="Existing Person", username="existing")
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {TOKEN}"}):
        response = requests.get(f"{directory.base}/Users", headers=headers, timeout=30)
        assert_scim_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "existing" not in response.text


def test_there_is_no_scim_without_a_token_configured(live_server, settings):
    settings.SCIM_TOKEN = ""
    for token in (None, "", TOKEN):
        response = Directory(live_server.url, token).request("GET", "/ServiceProviderConfig")
        assert_scim_error(response, 404)


def test_unknown_attributes_and_schemas_are_refused_and_nothing_is_created(directory):
    before = User.objects.count()
    for body in (
        entra_user(favouriteColour="green"),
        entra_user(**{ENTERPRISE: {"department": "X", "shoeSize": 9}}),
        {**entra_user(), "schemas": [CORE, "urn:example:custom:2.0:User"]},
        {**entra_user(), "schemas": ["urn:example:other"]},
    ):
        assert_scim_error(directory.request("POST", "/Users", json=body), 400, "invalidSyntax")
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"userName": ""}, "invalidValue"),
        ({"userName": "ada\x00@contoso.example"}, "invalidValue"),
        ({"userName": "has spaces in it"}, "invalidValue"),
        ({"userName": 42}, "invalidValue"),
        ({"active": "maybe"}, "invalidValue"),
        ({"emails": [{"value": "not an address"}]}, "invalidValue"),
        ({"emails": "ada@contoso.example"}, "invalidValue"),
        ({"title": "x" * 151}, "invalidValue"),
        ({"displayName": ["Ada"]}, "invalidValue"),
        ({"password": "123"}, "invalidValue"),
    ],
)
def test_bad_values_are_refused_with_scim_errors(directory, body, scim_type):
    before = User.objects.count()
    assert_scim_error(directory.request("POST", "/Users", json=entra_user(**body)), 400, scim_type)
    assert User.objects.count() == before


def test_a_ten_megabyte_body_is_refused_unread(directory):
    before = User.objects.count()
    huge = entra_user(displayName="A" * (10 * 1024 * 1024))

    assert_scim_error(directory.request("POST", "/Users", json=huge), 413)
    assert User.objects.count() == before


@pytest.mark.parametrize(
    "raw",
    [
        'userName eq "ada',
        "userName eq ada",
        'userName co "ada"',
        'title eq "Analyst"',
        'userName eq "a" or userName eq "b"',
        "",
        'userName eq "\\u0000"',
        "x" * 5000,
    ],
)
def test_malformed_or_unsupported_filters_are_clear_errors(directory, raw):
    assert_scim_error(directory.request("GET", "/Users", params={"filter": raw}), 400, "invalidFilter")


def test_malformed_bodies_are_clear_errors(directory):
    post = directory.request
    headers = {"Content-Type": "application/scim+json"}
    assert_scim_error(post("POST", "/Users", data=b"{not json", headers=headers), 400, "invalidSyntax")
    assert_scim_error(post("POST", "/Users", data=b"[1, 2]", headers=headers), 400, "invalidSyntax")
    text = {"Content-Type": "text/plain"}
    assert_scim_error(post("POST", "/Users", data=b"userName=ada", headers=text), 415, "invalidSyntax")
    user_id = directory.create().json()["id"]
    bad_patches = [
        {"schemas": [PATCH_OP], "Operations": [{"op": "explode", "path": "title"}]},
        {"schemas": [PATCH_OP], "Operations": []},
        {"schemas": [CORE], "Operations": [{"op": "replace", "path": "title", "value": "x"}]},
    ]
    for body in bad_patches:
        assert_scim_error(post("PATCH", f"/Users/{user_id}", json=body), 400, "invalidSyntax")
    unknown_path = directory.patch(user_id, {"op": "replace", "path": "shoeSize", "value": 9})
    assert_scim_error(unknown_path, 400, "invalidPath")
    # A refused operation among good ones changes nothing.
    mixed = directory.patch(
        user_id, {"op": "replace", "path": "title", "value": "Changed"}, {"op": "remove", "path": "active"}
    )
    assert_scim_error(mixed, 400, "mutability")
    assert User.objects.get(pk=int(user_id)).title == "Analyst"


def test_duplicates_are_conflicts(directory):
    directory.create()
    before = User.objects.count()

    assert_scim_error(directory.create(), 409, "uniqueness")
    other = entra_user("someone.else@contoso.example", emails=[{"value": "ADA@contoso.example"}])
    assert_scim_error(directory.request("POST", "/Users", json=other), 409, "uniqueness")
    assert User.objects.count() == before


def test_unknown_users_and_paths_are_scim_404s(directory):
    for user_id in ("999999", "9223372036854775808", "abc", "-1", "0"):
        assert_scim_error(directory.request("GET", f"/Users/{user_id}"), 404)
        assert_scim_error(directory.patch(user_id, {"op": "replace", "path": "title", "value": "x"}), 404)
    assert_scim_error(directory.request("GET", "/Groups"), 404)


def test_superusers_are_not_provisioned(directory):
    """A leaked SCIM token cannot lock out or rename the people who run Chirp."""
    admin, _ = user_create(name="Root Admin", username="root", is_staff=True, is_superuser=True)

    assert_scim_error(directory.request("DELETE", f"/Users/{admin.pk}"), 403)
    assert_scim_error(directory.patch(admin.pk, {"op": "replace", "path": "userName", "value": "x"}), 403)
    admin.refresh_from_db()
    assert admin.is_active and admin.username == "root"


def test_listing_pages_through_every_user(directory):
    for number in range(3):
        directory.create(user_name=f"person{number}@contoso.example", emails=[])

    page = directory.request("GET", "/Users", params={"startIndex": "2", "count": "1"}).json()

    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (3, 2, 1)
    assert page["Resources"][0]["userName"] == "person1@contoso.example"
    assert_scim_error(directory.request("GET", "/Users", params={"count": "lots"}), 400, "invalidValue")


def test_discovery_endpoints_describe_the_service(directory):
    config = directory.request("GET", "/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json()["patch"] == {"supported": True}
    assert config.json()["filter"]["supported"] is True
    assert config.headers["Cache-Control"] == "no-store"
    types = directory.request("GET", "/ResourceTypes").json()
    assert types["Resources"][0]["endpoint"] == "/Users"
    schemas = directory.request("GET", "/Schemas").json()
    assert {schema["id"] for schema in schemas["Resources"]} == {CORE, ENTERPRISE}
