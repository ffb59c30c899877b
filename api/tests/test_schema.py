import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

# The contract's endpoints, as it writes them.
CONTRACT = {
    ("post", "/api/tweets"),
    ("get", "/api/tweets"),
    ("delete", "/api/tweets/{tweet_id}"),
    ("post", "/api/tweets/{tweet_id}/likes"),
    ("delete", "/api/tweets/{tweet_id}/likes"),
    ("post", "/api/users/{user_id}/follow"),
    ("delete", "/api/users/{user_id}/follow"),
    ("post", "/api/medias"),
    ("get", "/api/users/me"),
    ("get", "/api/users/{user_id}"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The OpenAPI schema, generated and validated, failing on any warning."""
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_schema_documents_every_contract_endpoint_under_its_contract_path(schema):
    """Every contract endpoint appears as the contract writes it: no trailing slash."""
    documented = {(method, path) for method, path, _ in operations(schema)}

    assert documented >= CONTRACT
    assert not [path for path in schema["paths"] if path.endswith("/")]


def test_schema_declares_the_api_key_header_for_every_contract_endpoint(schema):
    """The `api-key` header is a security scheme, accepted by every contract operation."""
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "api-key"}
    for method, path, operation in operations(schema):
        if (method, path) in CONTRACT:
            assert {"ApiKeyAuth": []} in operation["security"], (method, path)


def test_schema_documents_the_error_envelope_for_every_error_response(schema):
    """Each operation lists 401 and 403, and every error response is the envelope."""
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert (
        set(envelope["properties"]) == set(envelope["required"]) == {"result", "error_type", "error_message"}
    )
    for _, _, operation in operations(schema):
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses)
        for status, response in responses.items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorEnvelope"


def test_schema_documents_a_success_envelope_for_every_endpoint(schema):
    """Each operation has a 2xx response (contract ones: 201 or 200), a JSON object with `result`."""
    components = schema["components"]["schemas"]
    for method, path, operation in operations(schema):
        successes = [status for status in operation["responses"] if status.startswith("2")]
        assert successes, (method, path)
        if (method, path) in CONTRACT:
            created = (method, path) in {("post", "/api/tweets"), ("post", "/api/medias")}
            assert successes == ["201" if created else "200"], (method, path)
        for status in successes:
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            body = components[ref.rsplit("/", 1)[1]]
            assert "result" in body["required"], (method, path, status)


def test_schema_types_ids_as_integers(schema):
    """Path ids are integers, as clients send them, within the 64-bit range the routes accept."""
    for _, _, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] != "tag":
                assert parameter["schema"] == {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0,
                    "maximum": 2**63 - 1,
                }


def test_schema_and_docs_are_served_without_a_key(anonymous, db):
    """/api/schema/ and the Swagger UI at /api/docs/ are public."""
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/docs/").status_code == 200


def test_swagger_ui_loads_nothing_from_another_host(anonymous, db):
    """/api/docs/ references only its own origin, and every file it names ships with the static files."""
    html = anonymous.get("/api/docs/").content.decode()

    assert not re.findall(r"(?:https?:)?//[\w.-]+", html), "a foreign host in /api/docs/"
    assert '"validatorUrl": null' in html
    assets = re.findall(r'(?:src|href)="(/[^"]*)"', html)
    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= {asset.rsplit("/", 1)[-1] for asset in assets}
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), asset
        found = finders.find(asset.removeprefix(settings.STATIC_URL))
        assert found and Path(found).stat().st_size > 0, asset


def test_every_operation_documents_the_errors_any_request_can_get(schema):
    """405, 406, 413, 429 and 503 on every operation, 415 wherever a body is read, all as the envelope."""
    for method, path, operation in operations(schema):
        expected = {"405", "406", "413", "429", "503"} | ({"415"} if "requestBody" in operation else set())
        assert expected <= set(operation["responses"]), (method, path)


def test_request_bodies_that_refuse_unknown_fields_say_so(schema):
    """A body whose serializer refuses undeclared fields has `additionalProperties: false`."""
    components = schema["components"]["schemas"]
    assert components["LoginRequest"]["additionalProperties"] is False
    assert components["PatchedMeUpdateRequest"]["additionalProperties"] is False
    assert "additionalProperties" not in components["TweetCreateRequest"]


def test_optional_query_parameters_may_be_sent_empty(schema, author):
    """The schema says an empty optional query value is allowed, and the API reads it as left out."""
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert parameter["allowEmptyValue"] is True, (method, path, parameter["name"])

    response = author.client().get("/api/tweets?offset=&limit=")

    assert response.status_code == 200
