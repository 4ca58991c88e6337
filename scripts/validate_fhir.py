#!/usr/bin/env python3
"""Validates FHIR resources with a third-party implementation: the `fhir.resources` models
(R4B, pydantic), independent of this project's own checks. Reads one JSON resource per
line on standard input; prints each that does not validate, with the reason.

Exit status: 0 all valid, 1 some invalid, 3 fhir.resources is not installed
(scripts/setup.sh installs it). Used by crates/ehr-web/tests/fhir_api.rs on every answer of
the FHIR API."""
import json
import sys

try:
    from fhir.resources.R4B import get_fhir_model_class
except ImportError:
    sys.exit(3)

bad = 0
for n, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    resource = json.loads(line)
    try:
        get_fhir_model_class(resource["resourceType"]).parse_obj(resource)
    except Exception as e:  # the validator's own error type varies by version
        bad += 1
        print(f"answer {n} ({resource.get('resourceType')}): {e}\n  {line[:300]}")
sys.exit(1 if bad else 0)
