//! SMART App Launch scopes (v1 `patient/Observation.read`, v2 `patient/Observation.rs`),
//! parsed into what this server can grant, and the one question the FHIR API asks of
//! them: may this token read (or write) this resource type, and in which context.

use std::fmt;

use crate::dashboard::i18n::{Lang, Msg};

/// Whose data a resource scope reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    /// `patient/`: the one patient chosen at launch (the token's `patient`).
    Patient,
    /// `user/`: what the approving account may see on chain.
    User,
    /// `system/`: what the backend client's bound account may see on chain.
    System,
}

/// What a request does with a resource type, as SMART v2 scopes tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    /// Read one resource by id (`r`).
    Read,
    /// Search (`s`).
    Search,
    /// Create (`c`): this server creates records; it never updates or deletes them (the
    /// chain keeps versions instead).
    Create,
}

/// One resource scope: a context, a type (or every type) and the interactions it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceScope {
    /// Whose data.
    pub context: Context,
    /// The resource type, `None` for `*`.
    pub resource: Option<String>,
    /// Reads by id (`read`, `r`, `*`).
    pub read: bool,
    /// Searches (`read`, `s`, `*`).
    pub search: bool,
    /// Creates (`write`, `c`, `*`).
    pub create: bool,
    /// The scope as the app wrote it (v1 or v2), as the grant says it back.
    text: String,
}

impl ResourceScope {
    fn covers(&self, resource: &str) -> bool {
        self.resource.as_deref().is_none_or(|r| r == resource)
    }

    fn allows(&self, interaction: Interaction) -> bool {
        match interaction {
            Interaction::Read => self.read,
            Interaction::Search => self.search,
            Interaction::Create => self.create,
        }
    }
}

impl fmt::Display for ResourceScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A set of granted scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes {
    /// The resource scopes.
    pub resources: Vec<ResourceScope>,
    /// `launch/patient`: the app asked to be told the patient in context.
    pub launch_patient: bool,
    /// `offline_access`: a refresh token that outlives the session.
    pub offline: bool,
    /// `online_access`: a refresh token (this server has no sessions to tie it to, so
    /// it is treated as `offline_access`).
    pub online: bool,
}

/// Why a requested scope string cannot be granted (`invalid_scope`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ScopeError {
    /// A resource scope with a bad shape or an unknown type or access.
    #[error("scope `{0}` is malformed: {1}")]
    Malformed(String, &'static str),
    /// No resource scope at all: the token would reach nothing.
    #[error("no resource scope was asked for (e.g. `patient/*.read`): a token without one reaches nothing")]
    NoResource,
    /// A context this grant type cannot give.
    #[error("scope `{0}` cannot be granted here: {1}")]
    WrongContext(String, &'static str),
}

/// The resource types a scope may name: the ones this FHIR API serves.
fn known_type(t: &str) -> bool {
    crate::fhir::READ_TYPES.contains(&t) || crate::fhir::CREATE_TYPES.contains(&t)
}

impl Scopes {
    /// Parses a space-separated `scope` request. Scopes this server does not implement
    /// (`openid`, `fhirUser`, `profile`, `launch`, `launch/encounter`) are left out of the
    /// grant, as OAuth allows (the granted `scope` says what was given); a malformed
    /// resource scope is an error.
    pub fn parse(requested: &str) -> Result<Scopes, ScopeError> {
        let mut scopes = Scopes::default();
        for word in requested.split_whitespace() {
            match word {
                "launch/patient" => scopes.launch_patient = true,
                "offline_access" => scopes.offline = true,
                "online_access" => scopes.online = true,
                w if w.starts_with("patient/")
                    || w.starts_with("user/")
                    || w.starts_with("system/") =>
                {
                    let scope = parse_resource(w)?;
                    if !scopes.resources.contains(&scope) {
                        scopes.resources.push(scope);
                    }
                }
                _ => {}
            }
        }
        if scopes.resources.is_empty() {
            return Err(ScopeError::NoResource);
        }
        Ok(scopes)
    }

    /// Refuses contexts the grant type cannot give: `system/` only to a backend service
    /// (client credentials), `patient/` and `user/` only to an app a person approved.
    pub fn check_grant_type(&self, backend: bool) -> Result<(), ScopeError> {
        for s in &self.resources {
            if s.context == Context::System && s.create {
                return Err(ScopeError::WrongContext(
                    s.to_string(),
                    "system/ scopes are read-only here (a backend service syncs; a person's app writes)",
                ));
            }
            match (s.context, backend) {
                (Context::System, false) => {
                    return Err(ScopeError::WrongContext(
                        s.to_string(),
                        "system/ scopes are for backend services (client credentials)",
                    ))
                }
                (Context::Patient | Context::User, true) => {
                    return Err(ScopeError::WrongContext(
                        s.to_string(),
                        "a backend service asks for system/ scopes only",
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether a patient must be chosen at approval: `patient/` scopes or `launch/patient`.
    pub fn needs_patient(&self) -> bool {
        self.launch_patient || self.resources.iter().any(|s| s.context == Context::Patient)
    }

    /// Whether a refresh token is issued.
    pub fn wants_refresh(&self) -> bool {
        self.offline || self.online
    }

    /// The widest context that allows `interaction` on `resource`: `User`/`System`
    /// before `Patient`, so a token with both reaches beyond the patient in context.
    /// `None`: no scope allows it.
    pub fn allows(&self, resource: &str, interaction: Interaction) -> Option<Context> {
        self.resources
            .iter()
            .filter(|s| s.covers(resource) && s.allows(interaction))
            .map(|s| s.context)
            .max()
    }

    /// The scopes kept from `self` that `narrower` also names (a refresh may ask for
    /// less, never for more).
    pub fn narrowed_to(&self, narrower: &Scopes) -> Result<Scopes, ScopeError> {
        for s in &narrower.resources {
            let held = self.resources.iter().any(|h| {
                h.context == s.context
                    && (h.resource.is_none() || h.resource == s.resource)
                    && (h.read || !s.read)
                    && (h.search || !s.search)
                    && (h.create || !s.create)
            });
            if !held {
                return Err(ScopeError::WrongContext(
                    s.to_string(),
                    "it was not part of the original grant",
                ));
            }
        }
        Ok(Scopes {
            resources: narrower.resources.clone(),
            launch_patient: self.launch_patient && narrower.launch_patient,
            offline: self.offline && narrower.offline,
            online: self.online && narrower.online,
        })
    }

    /// What each scope lets the app do, in words in `lang`, for the approval page.
    pub fn describe(&self, lang: Lang) -> Vec<String> {
        let mut lines: Vec<String> = self
            .resources
            .iter()
            .map(|s| {
                let what = match s.resource.as_deref() {
                    None => lang.t(Msg::SmartAllData).to_string(),
                    Some(t) => lang.f(Msg::SmartTypeData, &[("type", t)]),
                };
                let access = match (s.read || s.search, s.create) {
                    (true, true) => Msg::SmartReadAndAdd,
                    (true, false) => Msg::SmartRead,
                    (false, true) => Msg::SmartAdd,
                    (false, false) => Msg::SmartNothingOf,
                };
                let whose = match s.context {
                    Context::Patient => Msg::SmartWhosePatient,
                    Context::User => Msg::SmartWhoseUser,
                    Context::System => Msg::SmartWhoseSystem,
                };
                format!("{} {what} {}", lang.t(access), lang.t(whose))
            })
            .collect();
        if self.wants_refresh() {
            lines.push(lang.t(Msg::SmartKeepAccess).to_string());
        }
        lines
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = Vec::new();
        if self.launch_patient {
            words.push("launch/patient".into());
        }
        words.extend(self.resources.iter().map(ToString::to_string));
        if self.offline {
            words.push("offline_access".into());
        }
        if self.online {
            words.push("online_access".into());
        }
        f.write_str(&words.join(" "))
    }
}

fn parse_resource(word: &str) -> Result<ResourceScope, ScopeError> {
    let bad = |why| ScopeError::Malformed(word.to_string(), why);
    let (context, rest) = word.split_once('/').ok_or_else(|| bad("no `/`"))?;
    let context = match context {
        "patient" => Context::Patient,
        "user" => Context::User,
        "system" => Context::System,
        _ => return Err(bad("the context is patient, user or system")),
    };
    // v2 scopes may carry a search restriction (`?category=...`): not supported.
    if rest.contains('?') {
        return Err(bad("search-restricted scopes are not supported"));
    }
    let (resource, access) = rest
        .split_once('.')
        .ok_or_else(|| bad("expected `<context>/<Type>.<access>`"))?;
    let resource = match resource {
        "*" => None,
        t if known_type(t) => Some(t.to_string()),
        _ => return Err(bad("this server serves no such resource type")),
    };
    let (read, search, create) = match access {
        "read" => (true, true, false),
        "write" => (false, false, true),
        "*" => (true, true, true),
        v2 if !v2.is_empty() && is_v2(v2) => (v2.contains('r'), v2.contains('s'), v2.contains('c')),
        _ => {
            return Err(bad(
                "the access is read, write, * or SMART v2 letters (cruds)",
            ))
        }
    };
    if !read && !search && !create {
        return Err(bad(
            "update and delete are not served: records are versioned on chain",
        ));
    }
    Ok(ResourceScope {
        context,
        resource,
        read,
        search,
        create,
        text: word.to_string(),
    })
}

/// SMART v2 access letters: a subsequence of `cruds`, in that order.
fn is_v2(letters: &str) -> bool {
    let mut order = "cruds".chars();
    letters.chars().all(|c| order.any(|o| o == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_scopes_parse_to_the_same_grant() {
        let v1 = Scopes::parse("patient/Observation.read patient/Observation.write").unwrap();
        let v2 = Scopes::parse("patient/Observation.crs").unwrap();
        for s in [&v1, &v2] {
            for i in [Interaction::Read, Interaction::Search, Interaction::Create] {
                assert_eq!(s.allows("Observation", i), Some(Context::Patient));
            }
            assert_eq!(s.allows("Condition", Interaction::Read), None);
        }
        // The grant says back what was asked, in the form it was asked.
        assert_eq!(v2.to_string(), "patient/Observation.crs");
    }

    #[test]
    fn v2_search_is_not_read() {
        let s = Scopes::parse("patient/Observation.s").unwrap();
        assert_eq!(
            s.allows("Observation", Interaction::Search),
            Some(Context::Patient)
        );
        assert_eq!(s.allows("Observation", Interaction::Read), None);
    }

    #[test]
    fn unimplemented_scopes_are_left_out_and_malformed_ones_refused() {
        let s = Scopes::parse("openid fhirUser launch/patient user/*.read offline_access").unwrap();
        assert_eq!(s.to_string(), "launch/patient user/*.read offline_access");
        assert!(s.needs_patient());
        for bad in [
            "patient/Observation",
            "doctor/*.read",
            "patient/Nope.read",
            "patient/Observation.du",
            "patient/Observation.sr",
            "patient/Observation.rs?category=vital-signs",
        ] {
            assert!(Scopes::parse(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(Scopes::parse("openid profile"), Err(ScopeError::NoResource));
    }

    #[test]
    fn the_widest_context_wins_and_writes_need_a_write_scope() {
        let s = Scopes::parse("patient/*.read user/Observation.read").unwrap();
        assert_eq!(
            s.allows("Observation", Interaction::Read),
            Some(Context::User)
        );
        assert_eq!(
            s.allows("Consent", Interaction::Search),
            Some(Context::Patient)
        );
        assert_eq!(s.allows("Observation", Interaction::Create), None);
    }

    #[test]
    fn grant_types_keep_to_their_contexts() {
        let system = Scopes::parse("system/*.read").unwrap();
        assert!(system.check_grant_type(true).is_ok());
        assert!(system.check_grant_type(false).is_err());
        let patient = Scopes::parse("patient/*.read").unwrap();
        assert!(patient.check_grant_type(true).is_err());
        let write = Scopes::parse("system/*.write").unwrap();
        assert!(write.check_grant_type(true).is_err());
    }

    #[test]
    fn a_refresh_may_narrow_but_not_widen() {
        let held = Scopes::parse("patient/*.read patient/Observation.write").unwrap();
        let less = Scopes::parse("patient/Observation.read").unwrap();
        assert!(held.narrowed_to(&less).is_ok());
        let more = Scopes::parse("user/*.read").unwrap();
        assert!(held.narrowed_to(&more).is_err());
    }
}
