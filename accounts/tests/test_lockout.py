"""Nobody locks an account's owner out by typing wrong passwords at it (issue 25, item 11).

These run with the shipped rates (settings.LOGIN_THROTTLE_RATES: 30/minute per address, 10/hour
per account and address, 20/15m per account from anywhere) and a frozen clock.
"""

import time_machine
from django.test import Client
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"
# The per-account pace of the shipped rates: 20 failures per 15 minutes, so one per 45 seconds.
INTERVAL = 45


def token(username: str, password: str, address: str):
    return APIClient().post(
        "/api/auth/token", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def signs_in_after(username: str, address: str, clock) -> int:
    """Seconds the owner waits from `address` before the right password gets them in, following
    each Retry-After as told."""
    waited = 0
    while True:
        response = token(username, PASSWORD, address)
        if response.status_code == 200:
            return waited
        assert response.status_code == 429
        wait = int(response["Retry-After"])
        waited += wait
        clock.shift(wait)


def test_ten_wrong_passwords_from_each_of_two_addresses_keep_the_superuser_out_for_one_interval_at_most(
    make_user,
):
    """The attack that used to lock the superuser out for 15 minutes everywhere: from an address
    never seen before they sign in at once."""
    make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False) as clock:
        for address in ("203.0.113.1", "203.0.113.2"):
            for _ in range(10):
                assert token("root", "wrong", address).status_code == 401
        assert signs_in_after("root", "198.51.100.7", clock) == 0
        # The guessing addresses stay refused for the hour, whatever they send.
        assert token("root", PASSWORD, "203.0.113.1").status_code == 429


def test_the_owner_signs_in_at_once_from_an_address_they_signed_in_from_before(make_user):
    make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False):
        assert token("root", PASSWORD, "10.0.0.5").status_code == 200
        for n in range(40):
            token("root", "wrong", f"203.0.113.{n}")
        assert token("root", PASSWORD, "10.0.0.5").status_code == 200


def test_the_web_sign_in_and_the_admin_pace_the_same_way(make_user):
    """The same pace at every door: an address that failed waits one interval at the web sign-in
    page; a fresh one signs in at the admin at once."""
    make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False):
        for n in range(20):
            token("root", "wrong", f"203.0.113.{n}")
        page = Client(REMOTE_ADDR="203.0.113.3").post("/sign-in/", {"login": "root", "password": PASSWORD})
        assert page.status_code == 429
        assert "try again in 46 seconds" in page.content.decode()
        admin = Client(REMOTE_ADDR="198.51.100.9")
        response = admin.post("/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"})
        assert response.status_code == 302


def test_guesses_from_many_addresses_stay_bounded_by_the_pace(make_user):
    """Eight addresses guessing in turn get one guess each, the burst of 20, then one per 45 s."""
    make_user("Ada", username="ada", password=PASSWORD)
    checked = 0
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False) as clock:
        for n in range(150):
            checked += token("ada", "wrong", f"203.0.113.{n % 8}").status_code == 401
            clock.shift(2)
    # 300 seconds: a first guess per address, the burst of 20, then one per interval.
    assert checked <= 8 + 20 + 300 // INTERVAL + 1
