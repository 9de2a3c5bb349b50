"""Checks instances against JSON Schemas with Debian's python3-jsonschema, for SchemaTests.

Reads {"schemas": {id: schema}, "cases": [{"name", "schema": id, "instance"}]} on stdin; checks
each schema against draft 2020-12's metaschema, then prints [{"name", "valid", "error"}]."""
import json
import sys

from jsonschema import Draft202012Validator


def main():
    request = json.load(sys.stdin)
    validators = {}
    for key, schema in request["schemas"].items():
        Draft202012Validator.check_schema(schema)
        validators[key] = Draft202012Validator(schema)
    results = []
    for case in request["cases"]:
        errors = sorted(validators[case["schema"]].iter_errors(case["instance"]), key=lambda e: list(map(str, e.absolute_path)))
        first = errors[0] if errors else None
        results.append({
            "name": case["name"],
            "valid": first is None,
            "error": None if first is None else "/".join(map(str, first.absolute_path)) + ": " + first.message[:300],
        })
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
