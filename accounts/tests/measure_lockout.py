"""Issue 25 item 11's two attacks, measured with the shipped rates and a simulated clock: how long
the owner waits from a fresh address, following Retry-After. A measurement, not collected with the
suite (about two minutes): `.venv/bin/python -m pytest accounts/tests/measure_lockout.py -s -q`."""

import time_machine
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"


def token(username, password, address):
    return APIClient().post(
        "/api/auth/token", {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_measure_the_owners_wait_under_both_attacks(make_user):
    make_user("Root", username="root", password=PASSWORD, is_staff=True, is_superuser=True)
    # Attack 1: 10 wrong passwords from each of two addresses, then the owner from a fresh one.
    with time_machine.travel("2026-12-07 09:00:00+00:00", tick=False) as clock:
        for address in ("203.0.113.1", "203.0.113.2"):
            for _ in range(10):
                token("root", "wrong", address)
        waited = 0
        while (response := token("root", PASSWORD, "198.51.100.7")).status_code == 429:
            waited += int(response["Retry-After"])
            clock.shift(int(response["Retry-After"]))
        print(f"\nATTACK 1: owner from a fresh address waited {waited} s (then {response.status_code})")
    # Attack 2: kept up for an hour with 8 addresses (each allowed 10 wrong passwords an hour at
    # the account): every second the attacker sends wrong passwords while they are checked (a
    # burst whenever a window reopens); the owner arrives 30 minutes in from a fresh address and
    # retries as Retry-After says. Within a second the attacker goes first (the owner's worst case).
    with time_machine.travel("2026-12-07 12:00:00+00:00", tick=False) as clock:
        budget = {f"203.0.113.{10 + n}": 10 for n in range(8)}
        owner_at, owner_in, checked = 1800, None, 0
        for second in range(3600):
            # Within the second, as many wrong passwords as are checked (a burst when a window
            # reopens), from each address with budget left in turn.
            for address in budget:
                while budget[address] and token("root", "wrong", address).status_code == 401:
                    budget[address] -= 1
                    checked += 1
            if second == owner_at:
                response = token("root", PASSWORD, "198.51.100.9")
                if response.status_code == 200:
                    owner_in = second
                    break
                owner_at += int(response["Retry-After"])
            clock.shift(1)
        outcome = "more than 30 min" if owner_in is None else f"{owner_in - 1800} s"
        print(f"ATTACK 2: owner from a fresh address, 30 min in: waited {outcome}; {checked} guesses checked")
