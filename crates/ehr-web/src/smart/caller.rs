//! Who is calling the FHIR API, and what it may reach: the server's own bearer token
//! (the local admin path: any of the server's accounts, by `X-Ehr-Account`) or a SMART
//! access token (one account, the scopes granted, and the chain's own rules on top).

use std::sync::Arc;

use axum::http::HeaderMap;
use clarity::vm::types::PrincipalData;
use ehr_sdk::ehr::types::Scope;
use ehr_sdk::fhir::PRINCIPAL_SYSTEM;
use serde_json::Value;

use super::grants::Grant;
use super::scopes::{Context, Interaction};
use crate::fhir::ApiError;
use crate::state::{AppState, Identity};

/// The caller of a `/fhir` request, put in the request's extensions by
/// [`crate::auth::guard`].
#[derive(Debug, Clone)]
pub enum Caller {
    /// The bearer token `ehr serve` printed: acts for any of its accounts.
    Admin,
    /// A SMART app or backend service, under its grant.
    App(Arc<Grant>),
}

impl Caller {
    /// The account the request acts as: for the admin token the one `X-Ehr-Account`
    /// names (default the first); for an app the account that approved it (the guard has
    /// refused a header naming another account).
    pub fn identity<'a>(
        &self,
        state: &'a AppState,
        headers: &HeaderMap,
    ) -> Result<&'a Identity, ApiError> {
        match self {
            Caller::Admin => crate::auth::acting(state, headers).ok_or_else(|| {
                let named = headers
                    .get(crate::auth::ACCOUNT_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let known: Vec<&str> = state.identities.iter().map(|i| i.name.as_str()).collect();
                ApiError::Forbidden(format!(
                    "this server does not act for account `{named}` (X-Ehr-Account); it acts for: {}",
                    known.join(", ")
                ))
            }),
            Caller::App(grant) => account(state, grant),
        }
    }

    /// Checks that the scopes allow `interaction` on `resource`.
    pub fn check_type(&self, resource: &str, interaction: Interaction) -> Result<(), ApiError> {
        self.context(resource, interaction).map(|_| ())
    }

    fn context(
        &self,
        resource: &str,
        interaction: Interaction,
    ) -> Result<Option<Context>, ApiError> {
        match self {
            Caller::Admin => Ok(None),
            Caller::App(grant) => grant
                .scopes
                .allows(resource, interaction)
                .map(Some)
                .ok_or_else(|| {
                    ApiError::Forbidden(format!(
                        "the access token's scopes ({}) do not allow {} {resource}",
                        grant.scopes,
                        match interaction {
                            Interaction::Read => "reading",
                            Interaction::Search => "searching",
                            Interaction::Create => "creating",
                        }
                    ))
                }),
        }
    }

    /// Checks that this caller may read (or, with `write`, add to) `resource` data of
    /// `patient`: for an app, a scope for the type; a `patient/` scope only for the
    /// patient in context; and on chain, the account is the patient, acts for it
    /// (guardian), or holds a live grant from it (`has-access`) — so a revoked or
    /// expired grant ends the app's reach at once. The admin token is not limited here
    /// (the contracts and key envelopes still are).
    pub async fn check_patient(
        &self,
        state: &AppState,
        resource: &str,
        interaction: Interaction,
        patient: &PrincipalData,
    ) -> Result<(), ApiError> {
        let Caller::App(grant) = self else {
            return Ok(());
        };
        let context = self.context(resource, interaction)?;
        if context == Some(Context::Patient) && grant.patient.as_ref() != Some(patient) {
            return Err(ApiError::Forbidden(format!(
                "the access token's patient/ scopes reach {} only, not {patient}",
                grant
                    .patient
                    .as_ref()
                    .map_or("no patient".to_string(), ToString::to_string)
            )));
        }
        let me = account(state, grant)?.principal();
        if &me == patient || state.client.acts_for(patient, &me).await? {
            return Ok(());
        }
        let write = interaction == Interaction::Create;
        let scope = if write { Scope::WRITE } else { Scope::READ };
        // A record's own type is what the grant is checked for; the chain-mirroring
        // resources are about the patient as a whole.
        let record_type = (!crate::fhir::READ_TYPES.contains(&resource)).then_some(resource);
        if state
            .client
            .has_access(patient, &me, scope, record_type)
            .await?
        {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "{} ({me}) holds no live grant from {patient} to {} {resource} (permission-manager.has-access says no: never granted, revoked or expired)",
            grant.account,
            if write { "add" } else { "read" }
        )))
    }

    /// For an AuditEvent search by `agent` without a patient (through an EHR index): an
    /// app needs a `user/` or `system/` AuditEvent search scope, and may name only its own
    /// account as the agent. No agent: nothing to check here (the search refuses it).
    pub fn check_own_actions(
        &self,
        state: &AppState,
        agent: Option<&PrincipalData>,
    ) -> Result<(), ApiError> {
        let Caller::App(grant) = self else {
            return Ok(());
        };
        if self.context("AuditEvent", Interaction::Search)? == Some(Context::Patient) {
            return Err(ApiError::Forbidden(
                "the access token's patient/ scopes search the patient in context only: give `patient`".into(),
            ));
        }
        let me = state.identity(&grant.account).map(Identity::principal);
        match agent {
            Some(a) if Some(a) != me.as_ref() => Err(ApiError::Forbidden(format!(
                "an app searches the actions of its own account ({}) only",
                grant.account
            ))),
            _ => Ok(()),
        }
    }

    /// [`Caller::check_patient`] for a resource read by id: its patient is the one it
    /// references (`Patient.id`, `subject`, `patient`, an AuditEvent's entity). A resource
    /// that names no patient is chain data about an account (a doctor's registration):
    /// readable with a `user/` or `system/` scope, not with `patient/` scopes.
    pub async fn check_resource(&self, state: &AppState, resource: &Value) -> Result<(), ApiError> {
        let ty = resource
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("");
        match subject_of(resource) {
            Some(p) => self.check_patient(state, ty, Interaction::Read, &p).await,
            None => match self.context(ty, Interaction::Read)? {
                Some(Context::Patient) => Err(ApiError::Forbidden(format!(
                    "this {ty} is about no patient, and the access token's patient/ scopes reach the patient in context only"
                ))),
                _ => Ok(()),
            },
        }
    }
}

/// The server account an app's grant acts as.
fn account<'a>(state: &'a AppState, grant: &Grant) -> Result<&'a Identity, ApiError> {
    state.identity(&grant.account).ok_or_else(|| {
        ApiError::Forbidden(format!(
            "this access token acts as `{}`, which this server no longer acts for",
            grant.account
        ))
    })
}

/// The patient a resource is about, as this API writes references.
fn subject_of(resource: &Value) -> Option<PrincipalData> {
    if resource.get("resourceType").and_then(Value::as_str) == Some("Patient") {
        return resource
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| PrincipalData::parse(id).ok());
    }
    let mut refs: Vec<&Value> = Vec::new();
    refs.extend(resource.get("patient"));
    refs.extend(resource.get("subject"));
    if let Some(entities) = resource.get("entity").and_then(Value::as_array) {
        refs.extend(entities.iter().filter_map(|e| e.get("what")));
    }
    refs.into_iter().find_map(patient_reference)
}

fn patient_reference(reference: &Value) -> Option<PrincipalData> {
    if let Some(r) = reference.get("reference").and_then(Value::as_str) {
        if let Some(p) = r.strip_prefix("Patient/") {
            return PrincipalData::parse(p).ok();
        }
    }
    // An identifier reference counts only when it is typed as a Patient (registry
    // entries name doctors and issuers the same way, typed Practitioner or untyped).
    if reference.get("type").and_then(Value::as_str) != Some("Patient") {
        return None;
    }
    let id = reference.get("identifier")?;
    (id.get("system").and_then(Value::as_str) == Some(PRINCIPAL_SYSTEM))
        .then(|| id.get("value").and_then(Value::as_str))
        .flatten()
        .and_then(|v| PrincipalData::parse(v).ok())
}
