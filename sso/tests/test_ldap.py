"""LDAP sign-in against a real slapd (sso/tests/slapd.py): the web, the admin and POST /api/auth/token."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import deactivation_store, suspension_store
from config.ldap import django_auth_ldap_settings
from moderation.services import MODERATORS_GROUP
from sso.models import LdapIdentity
from sso.tests.slapd import ADMIN_DN, ADMIN_PASSWORD, GROUPS, MODERATORS_DN, PEOPLE, Slapd, group, person

PASSWORD = "directory passphrase 42"


@pytest.fixture(scope="module")
def slapd():
    """One slapd for the module, with a few colleagues and the moderators' group."""
    server = Slapd().start(
        [
            person("grace", name="Grace Hopper", password=PASSWORD, mail="grace@corp.example"),
            person(
                "ada",
                name="Ada Directory",
                password=PASSWORD,
                mail="ada@corp.example",
                title="Principal Engineer",
                department="Compilers",
            ),
            person("linus", name="Linus Directory", password=PASSWORD, mail="linus@corp.example"),
            person("mo", name="Mo Moderator", password=PASSWORD, mail="mo@corp.example"),
            person("nomail", name="No Mail", password=PASSWORD),
            # groupOfNames needs a member: "former" (no longer in the directory) stays when mo leaves.
            group("chirp-moderators", ["mo", "former"]),
        ]
    )
    yield server
    server.close()


@pytest.fixture
def ldap_on(slapd, settings, db):
    """Chirp configured for the directory, through the same translation production settings use."""
    chirp = {
        "LDAP_SERVER_URI": slapd.uri,
        "LDAP_START_TLS": False,
        "LDAP_BIND_DN": ADMIN_DN,
        "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_USER_FILTER": "(uid=%(user)s)",
        "LDAP_NAME_ATTRIBUTE": "cn",
        "LDAP_EMAIL_ATTRIBUTE": "mail",
        "LDAP_TITLE_ATTRIBUTE": "title",
        "LDAP_DEPARTMENT_ATTRIBUTE": "departmentNumber",
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        "LDAP_GROUP_TYPE": "groupOfNames",
        "LDAP_MODERATOR_GROUP": MODERATORS_DN,
        "LDAP_TIMEOUT": 5,
    }
    for name, value in {**chirp, **django_auth_ldap_settings(chirp)}.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*django_settings.AUTHENTICATION_BACKENDS, "sso.ldap.LdapBackend"]
    return slapd


def web_sign_in(client, login: str, password: str = PASSWORD):
    return client.post("/sign-in/", {"login": login, "password": password})


def test_directory_password_signs_in_and_makes_the_account(client, ldap_on):
    """First sign-in: the account is made from the directory's name and email; no local password."""
    assert web_sign_in(client, "grace")["Location"] == "/"
    grace = User.objects.get(username="grace")
    assert (grace.name, grace.email, grace.is_staff) == ("Grace Hopper", "grace@corp.example", False)
    assert not grace.has_usable_password()
    assert LdapIdentity.objects.get(username="grace").user == grace
    client.logout()
    assert web_sign_in(client, "GRACE")["Location"] == "/"
    assert User.objects.filter(email="grace@corp.example").count() == 1


def test_the_profile_follows_the_directory_at_each_sign_in(client, ldap_on):
    """Name, job title and department come from the directory entry, and follow its changes."""
    assert web_sign_in(client, "ada")["Location"] == "/"
    ada = User.objects.get(username="ada")
    assert (ada.name, ada.title, ada.department) == ("Ada Directory", "Principal Engineer", "Compilers")
    ldap_on.modify(
        f"dn: uid=ada,{PEOPLE}\nchangetype: modify\nreplace: title\ntitle: Distinguished Engineer\n"
        "-\nreplace: departmentNumber\ndepartmentNumber: Languages\n"
    )
    client.logout()
    assert web_sign_in(client, "ada")["Location"] == "/"
    ada.refresh_from_db()
    assert (ada.title, ada.department) == ("Distinguished Engineer", "Languages")


def test_wrong_directory_password_is_refused(client, ldap_on):
    response = web_sign_in(client, "grace", "not the password")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


def test_unknown_directory_user_is_refused(client, ldap_on):
    assert web_sign_in(client, "nobody").status_code == 400


def test_a_local_account_with_the_directory_email_is_linked(client, ldap_on, make_user):
    linus = make_user("Linus Local", username="linus-local", email="LINUS@corp.example").user
    web_sign_in(client, "linus")
    assert int(client.session["_auth_user_id"]) == linus.pk
    assert LdapIdentity.objects.get(username="linus").user == linus


def test_username_clash_with_another_local_account_gets_a_suffix(client, ldap_on, make_user):
    """A local "linus" who is someone else (another email) keeps the name; the directory's gets linus-2."""
    make_user(
        "Other Linus", username="linus", email="linus@elsewhere.example", password="a long passphrase 42"
    )
    web_sign_in(client, "linus")
    assert User.objects.get(email="linus@corp.example").username == "linus-2"


def test_directory_entry_without_email_gets_an_account_without_one(client, ldap_on):
    web_sign_in(client, "nomail")
    assert User.objects.get(username="nomail").email == ""


def test_moderators_group_gives_and_leaving_it_removes_the_role(client, ldap_on):
    web_sign_in(client, "mo")
    mo = User.objects.get(username="mo")
    assert mo.is_staff and mo.groups.filter(name=MODERATORS_GROUP).exists()
    assert client.get("/admin/").status_code == 200
    client.logout()
    ldap_on.modify(f"dn: {MODERATORS_DN}\nchangetype: modify\ndelete: member\nmember: uid=mo,{PEOPLE}\n")
    try:
        web_sign_in(client, "mo")
        mo.refresh_from_db()
        assert not mo.is_staff
    finally:
        ldap_on.modify(f"dn: {MODERATORS_DN}\nchangetype: modify\nadd: member\nmember: uid=mo,{PEOPLE}\n")


def test_admin_and_api_accept_directory_passwords(client, ldap_on):
    assert client.post("/admin/login/", {"username": "mo", "password": PASSWORD}).status_code == 302
    response = APIClient().post("/api/auth/token", {"username": "grace", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["access"]


def test_directory_sign_in_works_with_local_login_off(client, ldap_on, settings):
    """LOCAL_LOGIN concerns Chirp's own passwords; the directory's are company sign-in."""
    settings.LOCAL_LOGIN = False
    assert web_sign_in(client, "grace")["Location"] == "/"


def test_deactivated_account_cannot_sign_in_with_the_directory_password(client, ldap_on):
    web_sign_in(client, "grace")
    grace = User.objects.get(username="grace")
    client.get("/")
    deactivation_store(user=grace)
    assert client.get("/settings/").status_code == 302  # the open session ends too
    client.logout()
    assert web_sign_in(client, "grace").status_code == 400
    assert "_auth_user_id" not in client.session


def test_suspended_account_is_told_so(client, ldap_on):
    web_sign_in(client, "grace")
    client.logout()
    suspension_store(user=User.objects.get(username="grace"), until=timezone.now() + timedelta(days=1))
    response = web_sign_in(client, "grace")
    assert "This account is suspended until" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_directory_down_is_a_refusal_not_an_error_page(client, ldap_on, settings):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    response = web_sign_in(client, "grace")
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_plain_ldap_to_another_host_stops_start_up():
    """Passwords would cross the network unencrypted: ldaps:// or LDAP_START_TLS=1 outside localhost."""
    from django.core.exceptions import ImproperlyConfigured

    chirp = {
        "LDAP_SERVER_URI": "ldap://ldap.corp.example",
        "LDAP_START_TLS": False,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
    }
    with pytest.raises(ImproperlyConfigured, match="use ldaps:// or LDAP_START_TLS=1"):
        django_auth_ldap_settings(chirp)
