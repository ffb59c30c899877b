"""The OpenAPI schema documents the login flow, the Bearer scheme and the account endpoints."""

import io

import yaml
from django.core.management import call_command


def generated_schema() -> dict:
    out = io.StringIO()
    # --fail-on-warn: an undocumented or ambiguous endpoint fails the test instead of drifting.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_documents_bearer_next_to_api_key_and_every_account_endpoint():
    """Both security schemes; each new endpoint with its request, success and error bodies."""
    schema = generated_schema()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "api-key"}
    assert schemes["BearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    paths = schema["paths"]
    expected = {
        ("/api/auth/token", "post"): {"200", "400", "401", "429"},
        ("/api/auth/token/refresh", "post"): {"200", "400", "401"},
        ("/api/auth/logout", "post"): {"200", "400", "401"},
        ("/api/users", "get"): {"200", "400", "401", "403"},
        ("/api/users", "post"): {"201", "400", "401", "403"},
        ("/api/users/me", "patch"): {"200", "400", "401"},
        ("/api/users/me/api-key", "post"): {"200", "401"},
        ("/api/users/{user_id}", "patch"): {"200", "400", "401", "403", "404"},
        ("/api/users/{user_id}", "delete"): {"200", "401", "403", "404"},
    }
    for (path, method), codes in expected.items():
        operation = paths[path][method]
        assert codes <= set(operation["responses"]), (path, method)
        if method in ("post", "patch") and path != "/api/users/me/api-key":
            assert "requestBody" in operation, (path, method)
    for path in ("/api/auth/token", "/api/auth/token/refresh", "/api/auth/logout"):
        assert "security" not in paths[path]["post"]
    assert {"ApiKeyAuth": []} in paths["/api/tweets"]["get"]["security"]
    assert {"BearerAuth": []} in paths["/api/tweets"]["get"]["security"]
