#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# Validate JSON Lines on stdin against docs/schema/mmscope-record.schema.json.
# Exit 0 when every line is a valid record, 1 with the first error otherwise.
import json
import os
import sys

import jsonschema

schema_path = os.path.join(os.path.dirname(__file__), "../../docs/schema/mmscope-record.schema.json")
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
n = 0
for lineno, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    try:
        rec = json.loads(line)
    except ValueError as e:
        print(f"line {lineno}: not JSON: {e}")
        sys.exit(1)
    errors = sorted(validator.iter_errors(rec), key=lambda e: e.path)
    if errors:
        print(f"line {lineno}: {errors[0].message} at {list(errors[0].path)}")
        sys.exit(1)
    n += 1
if n == 0:
    print("no records")
    sys.exit(1)
print(f"{n} records valid")
