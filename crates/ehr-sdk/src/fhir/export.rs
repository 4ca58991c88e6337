//! Export: the chain's facts as FHIR R4 resources (and the audit trail as CSV).

use serde_json::{json, Value};

use super::{
    fhir_id, height_extension, principal_reference, principal_reference_as, FhirError,
    AUDIT_ACTION_SYSTEM, AUDIT_ENTRY_SYSTEM, CONSENT_POLICY_SYSTEM, EXT_BLOCK_HEIGHT,
    EXT_BLOCK_PERIOD, EXT_CONTENT_SHA256, EXT_EMERGENCY, EXT_LOCATOR, EXT_RECORD_VERSION,
    EXT_STATUS_BLOCK, EXT_TOKEN_STATE, EXT_VERIFIED, EXT_VERIFIED_BY, PRINCIPAL_SYSTEM,
    RECORD_SYSTEM, RECORD_TYPE_SYSTEM, REQUEST_SYSTEM, TOKEN_STATE_SYSTEM, TOKEN_SYSTEM,
};
use crate::audit::AuditEntry;
use crate::ehr::types::{Patient, Record, Scope, Token, TokenState};

const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const LOINC: &str = "http://loinc.org";

// ---- audit trail ------------------------------------------------------------------------

/// Whom an audit entry's `patient` field names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject {
    /// A patient (patient-registry, ehr-storage, permission-manager, access-token-nft).
    Patient,
    /// A doctor (doctor-registry's doctor functions).
    Practitioner,
    /// A credential issuer or a patient verifier (admin functions).
    Other,
}

/// What an audit entry's `ref` is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Record,
    Token,
    Request,
    /// u0, or a number that is not an id (verify-doctor's expires-at): only in the
    /// entry's `ref` detail.
    Nothing,
}

/// How one on-chain action maps to FHIR.
struct ActionInfo {
    /// AuditEvent.action: C, R, U, D or E.
    code: &'static str,
    /// A DICOM Security Alert subtype (code, display) for credential, role and emergency
    /// events; `None` for Patient Record events.
    security: Option<(&'static str, &'static str)>,
    subject: Subject,
    reference: RefKind,
}

const ROLES_CHANGED: Option<(&str, &str)> = Some(("110136", "Security Roles Changed"));
const USER_ATTRIBUTES: Option<(&str, &str)> = Some(("110137", "User Security Attributes Changed"));
const EMERGENCY_OVERRIDE: Option<(&str, &str)> = Some(("110127", "Emergency Override Started"));

fn action_info(action: &str) -> ActionInfo {
    use RefKind::*;
    use Subject::*;
    let (code, security, subject, reference) = match action {
        // patient-registry
        "register-patient" => ("C", None, Patient, Nothing),
        "guardian-proposed" | "guardian-withdrawn" | "guardian-added" | "guardian-removed"
        | "guardian-resigned" | "update-enc-pubkey" | "deactivate" | "verify-patient" => {
            ("U", None, Patient, Nothing)
        }
        "verifier-added" | "verifier-removed" | "admin-proposed" | "admin-accepted" => {
            ("U", ROLES_CHANGED, Other, Nothing)
        }
        // doctor-registry
        "register-doctor" => ("C", USER_ATTRIBUTES, Practitioner, Nothing),
        "verify-doctor" | "suspend-doctor" | "doctor-enc-pubkey" => {
            ("U", USER_ATTRIBUTES, Practitioner, Nothing)
        }
        "issuer-enabled" | "issuer-disabled" => ("U", ROLES_CHANGED, Other, Nothing),
        // ehr-storage
        "add-record" | "put-chunk" | "put-envelope" | "claims-anchor" => {
            ("C", None, Patient, Record)
        }
        "amend-record" => ("U", None, Patient, Record),
        // permission-manager
        "request-access" => ("C", None, Patient, Request),
        "approve-request" | "deny-request" => ("U", None, Patient, Request),
        "create-token" | "grant-access" => ("C", None, Patient, Token),
        "revoke-access" | "emergency-superseded" => ("D", None, Patient, Token),
        "emergency-access" => ("C", EMERGENCY_OVERRIDE, Patient, Token),
        "emergency-allowed" | "emergency-opt-out" => ("U", None, Patient, Nothing),
        // access-token-nft
        "token-transfer" | "token-return" => ("U", None, Patient, Token),
        // ehr-storage.log-access: `view`, `download`, `print`, `export`, `share-out`
        _ => ("R", None, Patient, Record),
    };
    ActionInfo {
        code,
        security,
        subject,
        reference,
    }
}

/// The `AuditEvent.action` code (value set `http://hl7.org/fhir/ValueSet/audit-event-action`)
/// of an on-chain action, as written by the contracts' `append-entry` calls:
///
/// | code | actions |
/// |---|---|
/// | `C` create | `register-patient`, `register-doctor`, `add-record`, `put-chunk`, `put-envelope`, `claims-anchor`, `request-access`, `create-token`, `grant-access`, `emergency-access` |
/// | `U` update | `guardian-proposed`, `guardian-withdrawn`, `guardian-added`, `guardian-removed`, `guardian-resigned`, `update-enc-pubkey`, `deactivate` (the patient stays registered, inactive), `verify-patient`, `verifier-added`, `verifier-removed`, `admin-proposed`, `admin-accepted`, `verify-doctor`, `suspend-doctor`, `doctor-enc-pubkey`, `issuer-enabled`, `issuer-disabled`, `amend-record` (a new version; the old one is kept), `approve-request`, `deny-request`, `emergency-allowed`, `emergency-opt-out`, `token-transfer`, `token-return` |
/// | `D` delete | `revoke-access` (the token NFT is burned), `emergency-superseded` (an emergency token burned by a regular grant) |
/// | `R` read | anything else: those actions come from `ehr-storage.log-access`, where a token holder logs its use of a record as one of `view`, `download`, `print`, `export`, `share-out` |
///
/// `E` (execute) is not used: every entry records a change of state or a logged read.
/// From contracts v2 the logged actions are a closed set that no contract uses, so a
/// holder can no longer write a contract's action into the trail.
pub fn action_code(action: &str) -> &'static str {
    action_info(action).code
}

/// Every action the v2 contracts write into the audit log: their own, and the closed set
/// a token holder logs with `ehr-storage.log-access`.
pub const AUDIT_ACTIONS: [&str; 41] = [
    "register-patient",
    "guardian-proposed",
    "guardian-withdrawn",
    "guardian-added",
    "guardian-removed",
    "guardian-resigned",
    "update-enc-pubkey",
    "deactivate",
    "verify-patient",
    "verifier-added",
    "verifier-removed",
    "admin-proposed",
    "admin-accepted",
    "register-doctor",
    "verify-doctor",
    "suspend-doctor",
    "doctor-enc-pubkey",
    "issuer-enabled",
    "issuer-disabled",
    "add-record",
    "put-chunk",
    "put-envelope",
    "claims-anchor",
    "amend-record",
    "request-access",
    "approve-request",
    "deny-request",
    "create-token",
    "grant-access",
    "revoke-access",
    "emergency-superseded",
    "emergency-access",
    "emergency-allowed",
    "emergency-opt-out",
    "token-transfer",
    "token-return",
    "view",
    "download",
    "print",
    "export",
    "share-out",
];

/// The actions whose `AuditEvent.action` is `code` ([`action_code`]), among
/// [`AUDIT_ACTIONS`]: what an `AuditEvent?action=` search asks an index for.
pub fn actions_with_code(code: &str) -> Vec<&'static str> {
    AUDIT_ACTIONS
        .into_iter()
        .filter(|a| action_code(a) == code)
        .collect()
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}

fn detail(kind: &str, value: String) -> Value {
    json!({ "type": kind, "valueString": value })
}

/// One audit-log entry as a FHIR R4 `AuditEvent`.
///
/// - `id`: the entry id; `extension` [`EXT_BLOCK_HEIGHT`](super::EXT_BLOCK_HEIGHT): the
///   entry's block.
/// - `type`: DICOM (`http://dicom.nema.org/resources/ontology/DCM`) `110110` "Patient
///   Record", or `110113` "Security Alert" for credential and role changes
///   (doctor-registry, verifiers, issuers) and emergency access; both are in the R4
///   audit-event-type value set. (Its other system, `…/CodeSystem/audit-event-type`, has
///   only `rest`, "RESTful Operation", which these contract calls are not.)
/// - `subtype`: the on-chain action as a code of [`AUDIT_ACTION_SYSTEM`], plus the DICOM
///   Security Alert subtype where one fits (`110127` Emergency Override Started for
///   `emergency-access`, `110136` Security Roles Changed for verifiers and issuers,
///   `110137` User Security Attributes Changed for doctors' credentials).
/// - `action`: see [`action_code`]. `outcome`: `0` (success): only successful calls
///   append to the log.
/// - `recorded`: the caller's `recorded`, an instant with a time zone
///   (`2024-05-01T12:00:00Z`). FHIR requires one and the entry has only a block height,
///   so the caller gives the block's time (e.g. from the node's block API). A caller that
///   cannot learn it should pass the time of export and say so: this function does not
///   invent times. The block height in the extension is the on-chain fact.
/// - `agent[0]`: the actor (`who` = [`principal_reference`]), `requestor: true`; for
///   `emergency-access`, `purposeOfUse` v3-ActReason `ETREAT`.
/// - `source.observer`: the audit-log contract `audit_log` (its principal, e.g.
///   `ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.audit-log`) as a `Device`; `source.type`
///   security-source-type `4` Application Server.
/// - `entity`: the subject the entry is about (the patient, or the doctor, issuer or
///   verifier for registry entries), with object-role `1` Patient, `15` Practitioner or
///   `11` Security User Entity; the record (`DocumentReference` by [`RECORD_SYSTEM`]),
///   token (`Consent` by [`TOKEN_SYSTEM`]) or request ([`REQUEST_SYSTEM`]) the `ref` names,
///   when it names one; and the entry itself ([`AUDIT_ENTRY_SYSTEM`]) whose `detail` holds
///   `ref`, `details-hash`, `prev-hash` and `entry-hash` (hex), so that together with the
///   actor, subject, action, id and block the hash chain can be re-verified from the
///   export alone ([`audit_entry_from_event`], then [`crate::audit::verify_chain`]).
pub fn audit_event(entry: &AuditEntry, audit_log: &str, recorded: &str) -> Value {
    let info = action_info(&entry.action);
    let event_type = match info.security {
        Some(_) => coding(DICOM, "110113", "Security Alert"),
        None => coding(DICOM, "110110", "Patient Record"),
    };
    let mut subtype = vec![coding(AUDIT_ACTION_SYSTEM, &entry.action, &entry.action)];
    if let Some((code, display)) = info.security {
        subtype.push(coding(DICOM, code, display));
    }

    let mut agent = json!({
        "who": principal_reference(&entry.actor),
        "requestor": true,
    });
    if entry.action == "emergency-access" {
        agent["purposeOfUse"] =
            json!([{ "coding": [coding(ACT_REASON, "ETREAT", "Emergency Treatment")] }]);
    }

    let (what, role) = match info.subject {
        Subject::Patient => (
            principal_reference_as(&entry.patient, "Patient"),
            coding(OBJECT_ROLE, "1", "Patient"),
        ),
        Subject::Practitioner => (
            principal_reference_as(&entry.patient, "Practitioner"),
            coding(OBJECT_ROLE, "15", "Practitioner"),
        ),
        Subject::Other => (
            principal_reference(&entry.patient),
            coding(OBJECT_ROLE, "11", "Security User Entity"),
        ),
    };
    let mut entities = vec![json!({
        "what": what,
        "type": coding(ENTITY_TYPE, "1", "Person"),
        "role": role,
    })];
    let id_ref = |ty: Option<&str>, system: &str| {
        let mut r =
            json!({ "identifier": { "system": system, "value": entry.reference.to_string() } });
        if let Some(ty) = ty {
            r["type"] = Value::from(ty);
        }
        r
    };
    match info.reference {
        RefKind::Record => entities.push(json!({
            "what": id_ref(Some("DocumentReference"), RECORD_SYSTEM),
            "type": coding(ENTITY_TYPE, "2", "System Object"),
            "role": coding(OBJECT_ROLE, "4", "Domain Resource"),
        })),
        RefKind::Token => entities.push(json!({
            "what": id_ref(Some("Consent"), TOKEN_SYSTEM),
            "type": coding(ENTITY_TYPE, "2", "System Object"),
            "role": coding(OBJECT_ROLE, "13", "Security Resource"),
        })),
        RefKind::Request => entities.push(json!({
            "what": id_ref(None, REQUEST_SYSTEM),
            "type": coding(ENTITY_TYPE, "2", "System Object"),
        })),
        RefKind::Nothing => {}
    }
    entities.push(json!({
        "what": {
            "identifier": { "system": AUDIT_ENTRY_SYSTEM, "value": entry.id.to_string() },
            "display": format!("audit-log entry {}", entry.id),
        },
        "type": coding(ENTITY_TYPE, "2", "System Object"),
        "description": "the on-chain audit-log entry: its hash-chain fields",
        "detail": [
            detail("ref", entry.reference.to_string()),
            detail("details-hash", entry.details_hash.clone()),
            detail("prev-hash", entry.prev_hash.clone()),
            detail("entry-hash", entry.entry_hash.clone()),
        ],
    }));

    let mut event = json!({
        "resourceType": "AuditEvent",
        "extension": [height_extension(EXT_BLOCK_HEIGHT, entry.block)],
        "type": event_type,
        "subtype": subtype,
        "action": info.code,
        "recorded": recorded,
        "outcome": "0",
        "agent": [agent],
        "source": {
            "observer": principal_reference_as(audit_log, "Device"),
            "type": [coding(SOURCE_TYPE, "4", "Application Server")],
        },
        "entity": entities,
    });
    if let Some(id) = fhir_id(&entry.id.to_string()) {
        event["id"] = id;
    }
    event
}

/// The audit trail as a FHIR R4 `Bundle` of type `searchset`: `total` = the number of
/// entries, one `entry[].resource` per [`audit_event`] in the given order, each with
/// `search.mode` `match` and `fullUrl` `{base}/AuditEvent/{id}` (`base`: the FHIR base of
/// the server that serves these entries, e.g. `ehr serve`'s `…/fhir`, or
/// [`DEFAULT_EXPORT_BASE`](super::DEFAULT_EXPORT_BASE) for a file export). `recorded` gives each entry's instant (see
/// [`audit_event`]).
pub fn audit_bundle(
    entries: &[AuditEntry],
    audit_log: &str,
    base: &str,
    recorded: impl Fn(&AuditEntry) -> String,
) -> Value {
    let base = base.trim_end_matches('/');
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "fullUrl": format!("{base}/AuditEvent/{}", e.id),
                "resource": audit_event(e, audit_log, &recorded(e)),
                "search": { "mode": "match" },
            })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "entry": items,
    })
}

/// Reads back an `AuditEvent` written by [`audit_event`] as the [`AuditEntry`] it came
/// from, so an exported trail can be checked with [`crate::audit::verify_chain`] without
/// the chain. Errors name the missing or malformed element.
pub fn audit_entry_from_event(event: &Value) -> Result<AuditEntry, FhirError> {
    let bad = |path: &str, problem: &str| FhirError::NotAnAuditEvent {
        path: path.to_string(),
        problem: problem.to_string(),
    };
    if event["resourceType"] != "AuditEvent" {
        return Err(bad("$.resourceType", "is not `AuditEvent`"));
    }
    let number = |text: &str, path: &str| {
        text.parse::<u128>()
            .map_err(|_| bad(path, "is not a decimal number"))
    };
    let id = number(
        event["id"]
            .as_str()
            .ok_or_else(|| bad("$.id", "is missing"))?,
        "$.id",
    )?;
    let block = event["extension"]
        .as_array()
        .and_then(|exts| exts.iter().find(|e| e["url"] == EXT_BLOCK_HEIGHT))
        .and_then(|e| {
            e["valueUnsignedInt"]
                .as_u64()
                .map(u128::from)
                .or_else(|| e["valueString"].as_str().and_then(|s| s.parse().ok()))
        })
        .ok_or_else(|| bad("$.extension", "no block-height extension"))?;
    let action = event["subtype"]
        .as_array()
        .and_then(|codes| codes.iter().find(|c| c["system"] == AUDIT_ACTION_SYSTEM))
        .and_then(|c| c["code"].as_str())
        .ok_or_else(|| bad("$.subtype", "no audit-action code"))?
        .to_string();
    let principal_of = |r: &Value| {
        (r["identifier"]["system"] == PRINCIPAL_SYSTEM)
            .then(|| r["identifier"]["value"].as_str())
            .flatten()
            .map(str::to_string)
    };
    let actor = event["agent"]
        .as_array()
        .and_then(|agents| agents.iter().find(|a| a["requestor"] == true))
        .and_then(|a| principal_of(&a["who"]))
        .ok_or_else(|| bad("$.agent", "no requestor with a principal"))?;
    let entities = event["entity"]
        .as_array()
        .ok_or_else(|| bad("$.entity", "is missing"))?;
    let patient = entities
        .iter()
        .find_map(|e| principal_of(&e["what"]))
        .ok_or_else(|| bad("$.entity", "no entity naming a principal"))?;
    let details = entities
        .iter()
        .find(|e| e["what"]["identifier"]["system"] == AUDIT_ENTRY_SYSTEM)
        .and_then(|e| e["detail"].as_array())
        .ok_or_else(|| bad("$.entity", "no audit-log entry entity with details"))?;
    let get = |kind: &str| {
        details
            .iter()
            .find(|d| d["type"] == kind)
            .and_then(|d| d["valueString"].as_str())
            .map(str::to_string)
            .ok_or_else(|| bad("$.entity.detail", &format!("no `{kind}` detail")))
    };
    Ok(AuditEntry {
        id,
        patient,
        actor,
        action,
        reference: number(&get("ref")?, "$.entity.detail")?,
        details_hash: get("details-hash")?,
        block,
        prev_hash: get("prev-hash")?,
        entry_hash: get("entry-hash")?,
    })
}

/// The header line of [`audit_csv`] (without its line break): the fields of an entry in
/// the contract's order, hashes in hex.
pub const AUDIT_CSV_HEADER: &str =
    "id,patient,actor,action,ref,details_hash,block,prev_hash,entry_hash";

fn csv_field(text: &str, out: &mut String) {
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The audit trail as CSV (RFC 4180): [`AUDIT_CSV_HEADER`], then one line per entry, each
/// line ending in CRLF. A field containing a comma, a double quote, CR or LF is enclosed in
/// double quotes with its quotes doubled; others are written as they are. Values are not
/// altered in any other way (no spreadsheet-formula escaping), so the export still
/// verifies against the chain: open it in a spreadsheet with care, since a `log-access`
/// action written by the v1 contracts is free text chosen by a token holder (from v2 it
/// is one of a closed set).
pub fn audit_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(AUDIT_CSV_HEADER);
    out.push_str("\r\n");
    for e in entries {
        let fields = [
            e.id.to_string(),
            e.patient.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.reference.to_string(),
            e.details_hash.clone(),
            e.block.to_string(),
            e.prev_hash.clone(),
            e.entry_hash.clone(),
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(f, &mut out);
        }
        out.push_str("\r\n");
    }
    out
}

// ---- grants -----------------------------------------------------------------------------

/// An access token as a FHIR R4 `Consent`, with its status at block `current_height`.
///
/// - `status` (consent-state-codes): `active` while the token gives access, `inactive`
///   once expired or revoked (R4: "terminated"); extension [`EXT_TOKEN_STATE`](super::EXT_TOKEN_STATE)
///   tells which, [`EXT_STATUS_BLOCK`](super::EXT_STATUS_BLOCK) gives `current_height`.
/// - `scope`: consentscope `patient-privacy`; `category`: LOINC `59284-0` Patient Consent.
/// - `patient`: the patient; `performer`: the patient, who granted it (left out for an
///   emergency token, which the patient did not grant).
/// - `policyRule` (R4 requires a policy or a policy rule): v3-ActCode `OPTIN` for a grant
///   the patient made; [`CONSENT_POLICY_SYSTEM`] `emergency-access` for an emergency one.
/// - `provision.type` `permit`; the block range in extension
///   [`EXT_BLOCK_PERIOD`](super::EXT_BLOCK_PERIOD) (`start` = issued-at, `end` = expires-at,
///   exclusive) instead of `period`, which wants instants the chain does not have.
/// - `provision.actor`: the grantee (the patient itself for a token not yet handed on),
///   role v3-ParticipationType `IRCP` information recipient when the scope has read or
///   share, `AUT` author when it has write.
/// - `provision.action` (consentaction): read → `access`, write → `correct` (add and amend
///   the patient's records), share → `disclose` (put key envelopes for others).
/// - `provision.purpose`: v3-ActReason `ETREAT` for an emergency token.
/// - `provision.class`: the token's record type in [`RECORD_TYPE_SYSTEM`], when the token
///   is limited to one.
pub fn consent(token: &Token, current_height: u64) -> Value {
    let state = token.state_at(current_height);
    let (status, state_code) = match state {
        TokenState::Active => ("active", "active"),
        TokenState::Expired => ("inactive", "expired"),
        TokenState::Revoked => ("inactive", "revoked"),
    };
    let patient = token.patient.to_string();
    let grantee = token.grantee.to_string();

    let mut actors = Vec::new();
    if token.scope.contains(Scope::READ) || token.scope.contains(Scope::SHARE) {
        actors.push(json!({
            "role": { "coding": [coding(PARTICIPATION, "IRCP", "information recipient")] },
            "reference": principal_reference(&grantee),
        }));
    }
    if token.scope.contains(Scope::WRITE) {
        actors.push(json!({
            "role": { "coding": [coding(PARTICIPATION, "AUT", "author (originator)")] },
            "reference": principal_reference(&grantee),
        }));
    }
    let actions: Vec<Value> = [
        (Scope::READ, "access", "Access"),
        (Scope::WRITE, "correct", "Access and Correct"),
        (Scope::SHARE, "disclose", "Disclose"),
    ]
    .into_iter()
    .filter(|(s, _, _)| token.scope.contains(*s))
    .map(|(_, code, display)| json!({ "coding": [coding(CONSENT_ACTION, code, display)] }))
    .collect();

    let mut provision = json!({
        "extension": [{
            "url": EXT_BLOCK_PERIOD,
            "extension": [
                height_extension("start", u128::from(token.issued_at)),
                height_extension("end", u128::from(token.expires_at)),
            ],
        }],
        "type": "permit",
        "actor": actors,
        "action": actions,
    });
    if token.emergency {
        provision["purpose"] = json!([coding(ACT_REASON, "ETREAT", "Emergency Treatment")]);
    }
    if let Some(t) = &token.record_type {
        provision["class"] = json!([{ "system": RECORD_TYPE_SYSTEM, "code": t }]);
    }

    let policy_rule = if token.emergency {
        json!({ "coding": [coding(CONSENT_POLICY_SYSTEM, "emergency-access", "emergency access")] })
    } else {
        json!({ "coding": [coding(ACT_CODE, "OPTIN", "opt-in")] })
    };
    let mut consent = json!({
        "resourceType": "Consent",
        "id": token.id.to_string(),
        "extension": [
            { "url": EXT_TOKEN_STATE, "valueCoding": { "system": TOKEN_STATE_SYSTEM, "code": state_code } },
            height_extension(EXT_STATUS_BLOCK, u128::from(current_height)),
            { "url": EXT_EMERGENCY, "valueBoolean": token.emergency },
        ],
        "identifier": [{ "system": TOKEN_SYSTEM, "value": token.id.to_string() }],
        "status": status,
        "scope": { "coding": [coding(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")] },
        "category": [{ "coding": [coding(LOINC, "59284-0", "Patient Consent")] }],
        "patient": principal_reference_as(&patient, "Patient"),
        "policyRule": policy_rule,
        "provision": provision,
    });
    if !token.emergency {
        consent["performer"] = json!([principal_reference_as(&patient, "Patient")]);
    }
    consent
}

// ---- records and patients ---------------------------------------------------------------

/// One record version as a FHIR R4 `DocumentReference`.
///
/// - `id` and `identifier` ([`RECORD_SYSTEM`]): the record id; extensions: the block it was
///   written in ([`EXT_BLOCK_HEIGHT`](super::EXT_BLOCK_HEIGHT)) and its version
///   ([`EXT_RECORD_VERSION`](super::EXT_RECORD_VERSION)).
/// - `status`: `current` for the newest version, `superseded` once amended.
/// - `type`: `text` and a [`RECORD_TYPE_SYSTEM`] code, both the record type.
/// - `subject`: the patient; `author`: who wrote it.
/// - `relatesTo`: `replaces` the previous version, when there is one.
/// - `content[0].attachment`: `url` = `Binary/{id}` (relative to the FHIR base: the
///   record's decrypted content, which resolves on a server that serves it), the chain's
///   locator (`chain:chunks`, `sha256:<hex>`, a store URL) in extension
///   [`EXT_LOCATOR`](super::EXT_LOCATOR), `contentType` `application/octet-stream` because
///   the bytes behind the locator are sealed (encrypted; the plaintext's type is known
///   only after opening). The chain's SHA-256 of those bytes is in extension
///   [`EXT_CONTENT_SHA256`](super::EXT_CONTENT_SHA256), not in `attachment.hash`, which
///   R4 defines as base64 SHA-1.
pub fn document_reference(record: &Record) -> Value {
    let id = record.id.to_string();
    let mut doc = json!({
        "resourceType": "DocumentReference",
        "id": id,
        "extension": [
            height_extension(EXT_BLOCK_HEIGHT, u128::from(record.created_at)),
            height_extension(EXT_RECORD_VERSION, u128::from(record.version)),
        ],
        "identifier": [{ "system": RECORD_SYSTEM, "value": id }],
        "status": if record.is_latest() { "current" } else { "superseded" },
        "type": {
            "coding": [{ "system": RECORD_TYPE_SYSTEM, "code": record.record_type }],
            "text": record.record_type,
        },
        "subject": principal_reference_as(&record.patient.to_string(), "Patient"),
        "author": [principal_reference(&record.author.to_string())],
        "content": [{
            "attachment": {
                "extension": [
                    { "url": EXT_CONTENT_SHA256, "valueString": hex::encode(record.content_hash) },
                    { "url": EXT_LOCATOR, "valueString": record.locator },
                ],
                "contentType": "application/octet-stream",
                "url": format!("Binary/{id}"),
            },
        }],
    });
    if let Some(previous) = record.previous {
        doc["relatesTo"] = json!([{
            "code": "replaces",
            "target": {
                "type": "DocumentReference",
                "identifier": { "system": RECORD_SYSTEM, "value": previous.to_string() },
            },
        }]);
    }
    doc
}

/// A registered patient as a FHIR R4 `Patient`: `identifier` the principal
/// ([`PRINCIPAL_SYSTEM`]), `id` the principal too when it is a valid FHIR id (a standard
/// principal is), `active` as on chain, and extensions for the registration block
/// ([`EXT_BLOCK_HEIGHT`](super::EXT_BLOCK_HEIGHT)), [`EXT_VERIFIED`](super::EXT_VERIFIED)
/// and [`EXT_VERIFIED_BY`](super::EXT_VERIFIED_BY). Nothing else about the person is on
/// chain (the identity hash is salted and stays meaningless without the salt).
pub fn patient_resource(principal: &str, patient: &Patient) -> Value {
    let mut extensions = vec![
        height_extension(EXT_BLOCK_HEIGHT, u128::from(patient.registered_at)),
        json!({ "url": EXT_VERIFIED, "valueBoolean": patient.verified }),
    ];
    if let Some(by) = &patient.verified_by {
        extensions.push(json!({ "url": EXT_VERIFIED_BY, "valueReference": principal_reference(&by.to_string()) }));
    }
    let mut resource = json!({
        "resourceType": "Patient",
        "extension": extensions,
        "identifier": [{ "system": PRINCIPAL_SYSTEM, "value": principal }],
        "active": patient.active,
    });
    if let Some(id) = fhir_id(principal) {
        resource["id"] = id;
    }
    resource
}

#[cfg(test)]
mod action_tests {
    use super::*;

    /// The list holds what the contracts write: each action is a string in their source.
    #[test]
    fn every_listed_action_is_one_the_contracts_write_and_codes_partition_them() {
        let sources: String = crate::ehr::EHR_CONTRACTS
            .iter()
            .map(|(_, source)| *source)
            .collect();
        for action in AUDIT_ACTIONS {
            assert!(sources.contains(&format!("\"{action}\"")), "{action}");
        }
        let by_code: usize = ["C", "R", "U", "D", "E"]
            .iter()
            .map(|c| actions_with_code(c).len())
            .sum();
        assert_eq!(by_code, AUDIT_ACTIONS.len());
        assert_eq!(
            actions_with_code("R"),
            vec!["view", "download", "print", "export", "share-out"]
        );
        assert_eq!(
            actions_with_code("D"),
            vec!["revoke-access", "emergency-superseded"]
        );
        assert!(actions_with_code("E").is_empty());
    }
}
