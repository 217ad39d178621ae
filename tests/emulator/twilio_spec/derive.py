"""Derive the compact part of Twilio's OpenAPI description that the fake Twilio checks against.

    python tests/emulator/twilio_spec/derive.py PATH/TO/twilio_api_v2010.json [OUTPUT]

Twilio's document (1.8 MB) lives outside the repository, so a clone could not run the tests
without it.  This keeps, from its operations below, every parameter with its type, format,
enum, pattern and length, which are required, the response schemas they name and the
security scheme; it drops prose, examples and code-generator hints, and adds the error body
Twilio documents but does not describe.  The result is an OpenAPI 3.0 document of its own,
written with sorted keys so that deriving it again gives the same bytes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PREFIX = "/2010-04-01/Accounts/{AccountSid}/"
OUTPUT = Path(__file__).with_name("twilio_rest_subset.json")

# What the workers send and the fake serves (route -> methods).  Messages update is here
# for redacting a sent text's body, which the service will need before the fake serves it.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "Calls.json": ("get", "post"),
    "Calls/{Sid}.json": ("get", "post"),
    "Messages.json": ("get", "post"),
    "Messages/{Sid}.json": ("get", "post"),
    "Queues.json": ("get", "post"),
    "Queues/{Sid}.json": ("get",),
    "Queues/{QueueSid}/Members.json": ("get",),
    "Queues/{QueueSid}/Members/{CallSid}.json": ("get", "post"),
}

# Prose, examples and hints for Twilio's code generators: none of them constrains a request.
DROPPED = frozenset({"description", "summary", "example", "examples", "tags", "x-twilio", "servers"})

ERROR_SCHEMA = "twilio.error"
# Twilio's error body (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions).
ERROR = {
    "type": "object",
    "required": ["code", "message", "more_info", "status"],
    "properties": {
        "code": {"type": "integer", "nullable": True},
        "message": {"type": "string"},
        "more_info": {"type": "string", "format": "uri", "nullable": True},
        "status": {"type": "integer"},
    },
}


def derive(source: dict) -> dict:
    """The subset of ``source`` (Twilio's document, parsed) as a new OpenAPI document."""
    paths = {}
    for route, methods in sorted(OPERATIONS.items()):
        item = source["paths"][PREFIX + route]
        paths[PREFIX + route] = {method: _operation(item[method]) for method in methods}
    schemas = {**source["components"]["schemas"], ERROR_SCHEMA: ERROR}
    kept = {name: _compact(schemas[name]) for name in sorted(_referenced(paths, schemas))}
    return {
        "openapi": source["openapi"],
        "info": {
            "title": f"{source['info']['title']} (the part this service uses)",
            "version": source["info"]["version"],
            "description": "Derived by tests/emulator/twilio_spec/derive.py from Twilio's "
                           "twilio_api_v2010.json. Do not edit: derive it again.",
        },
        "servers": source["servers"],
        "security": source["security"],
        "paths": paths,
        "components": {"securitySchemes": source["components"]["securitySchemes"],
                       "schemas": kept},
    }


def render(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _operation(op: dict) -> dict:
    kept = _compact(op)
    # A response object must keep its description; Twilio's document lists successes only.
    kept["responses"] = {code: {**_compact(r), "description": r["description"]}
                         for code, r in op["responses"].items()}
    kept["responses"]["default"] = {
        "description": "Twilio's error body",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
    }
    # Which parameters stand in for one another (e.g. Url, Twiml or ApplicationSid).
    conditional = op.get("x-twilio", {}).get("conditional")
    if conditional:
        kept["x-twilio"] = {"conditional": conditional}
    return kept


def _compact(node, names: bool = False):
    """``node`` without the DROPPED keys; ``names``: its keys are property names, all kept."""
    if isinstance(node, list):
        return [_compact(v) for v in node]
    if not isinstance(node, dict):
        return node
    return {k: _compact(v, names=(k == "properties" and not names))
            for k, v in node.items() if names or k not in DROPPED}


def _referenced(node, schemas: dict, found: set | None = None) -> set:
    """Names of the component schemas ``node`` refers to, directly or through others."""
    found = set() if found is None else found
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            if name not in found:
                found.add(name)
                _referenced(schemas[name], schemas, found)
        for value in node.values():
            _referenced(value, schemas, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, schemas, found)
    return found


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        text = render(derive(json.load(f)))
    output = Path(argv[1]) if len(argv) == 2 else OUTPUT
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
