#!/usr/bin/env python3
"""A real SMART on FHIR app (the `fhirclient` package, PyPI) against `ehr serve`, driven by
crates/ehr-web/tests/smart.rs.

It plays both sides of a standalone launch: the app (fhirclient builds the authorization
URL with PKCE from the server's CapabilityStatement, exchanges the code, refreshes) and the
person (a browser session signed in to the dashboard approves the app and picks the
patient). Then it reads and writes through the access token with fhirclient's R4 models.

Input: one JSON object on stdin (base, login, account, patient, record, redirect).
Output: one JSON object on stdout with what happened; exit 3 when fhirclient is missing.
"""
import json
import sys
import urllib.parse
from html.parser import HTMLParser

try:
    import requests
    from fhirclient import client as fhir_client
    from fhirclient.models.condition import Condition
    from fhirclient.models.documentreference import DocumentReference
    from fhirclient.models.observation import Observation
    from fhirclient.models.patient import Patient
except ImportError:
    sys.exit(3)


class Form(HTMLParser):
    """The approval form: its action, hidden inputs and the patient choices."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.hidden = {}
        self.patients = []
        self._in_patient = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action", "").startswith("/oauth/authorize"):
            self.action = a["action"]
        elif tag == "input" and a.get("type") == "hidden" and self.action:
            self.hidden[a["name"]] = a.get("value", "")
        elif tag == "select" and a.get("name") == "patient":
            self._in_patient = True
        elif tag == "option" and self._in_patient:
            self.patients.append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._in_patient = False


def status_of(call):
    """The HTTP status and OperationOutcome of a refused call (fhirclient raises)."""
    try:
        call()
        return {"status": 200}
    except Exception as e:  # fhirclient raises its own classes, each with the response
        response = getattr(e, "response", None)
        if response is None:
            raise
        return {"status": response.status_code, "body": response.json()}


def main():
    given = json.load(sys.stdin)
    out = {}
    settings = {
        "app_id": "growth-chart",
        "api_base": given["base"],
        "redirect_uri": given["redirect"],
        "scope": "launch/patient patient/*.read patient/Observation.write offline_access openid",
    }
    app = fhir_client.FHIRClient(settings=settings)
    authorize = app.authorize_url  # reads /metadata (public) and adds PKCE S256
    out["authorize_url"] = authorize
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    out["pkce"] = query.get("code_challenge_method")

    # The person: signed in to the dashboard, acting as the doctor.
    browser = requests.Session()
    r = browser.get(given["login"], allow_redirects=False)
    assert r.status_code in (302, 303, 307), r.status_code
    browser.cookies.set("ehr_account", given["account"])
    page = browser.get(authorize, allow_redirects=False)
    out["page_status"] = page.status_code
    form = Form()
    form.feed(page.text)
    out["patients_offered"] = form.patients
    fields = dict(form.hidden)
    fields["patient"] = given["patient"]
    fields["decision"] = "approve"
    answer = browser.post(
        urllib.parse.urljoin(authorize, form.action), data=fields, allow_redirects=False
    )
    out["decision_status"] = answer.status_code
    callback = answer.headers["Location"]
    out["callback"] = callback

    # The app again: the code for tokens (PKCE verifier), then the API.
    app.handle_callback(callback)
    out["patient_id"] = app.patient_id
    out["granted_scope"] = app.launch_context.get("scope")
    out["has_refresh"] = app.server.auth.refresh_token is not None
    smart = app.server
    patient = Patient.read(app.patient_id, smart)
    out["patient_read"] = patient.id
    docs = DocumentReference.where(struct={"patient": app.patient_id}).perform_resources(smart)
    out["documents"] = [d.id for d in docs]
    obs = Observation.read(given["record"], smart)
    out["observation_value"] = obs.valueQuantity.value

    new = Observation(
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
            "subject": {"reference": "Patient/" + app.patient_id},
            "valueQuantity": {"value": 64, "unit": "beats/minute", "system": "http://unitsofmeasure.org", "code": "/min"},
        }
    )
    created = new.create(smart)
    out["created"] = created.get("id") if isinstance(created, dict) else None

    # Refused by scope: a Condition write was never granted.
    condition = Condition(
        {
            "resourceType": "Condition",
            "subject": {"reference": "Patient/" + app.patient_id},
            "code": {"text": "hypertension"},
        }
    )
    out["condition_write"] = status_of(lambda: condition.create(smart))
    # Refused by patient context: another patient's data.
    out["other_patient"] = status_of(
        lambda: DocumentReference.where(struct={"patient": given["other"]}).perform_resources(smart)
    )

    # Refresh: a new access token, a new refresh token.
    old_access = app.server.auth.access_token
    old_refresh = app.server.auth.refresh_token
    out["reauthorized"] = bool(app.reauthorize())
    out["access_changed"] = app.server.auth.access_token != old_access
    out["refresh_rotated"] = app.server.auth.refresh_token != old_refresh
    out["after_refresh"] = Patient.read(app.patient_id, smart).id
    out["access_token"] = app.server.auth.access_token
    out["refresh_token"] = app.server.auth.refresh_token
    out["old_refresh_token"] = old_refresh
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
