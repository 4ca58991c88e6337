//! The catalogue: every user-facing string of the dashboard, in English and French.
//! See the [module documentation](super) for how to add one.

use super::Lang;

/// Declares [`Msg`] and its two tables from one list: an entry without both texts does
/// not compile.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $key:ident { en: $en:expr, fr: $fr:expr $(,)? })*) => {
        /// A user-facing string of the dashboard; its text per language is [`Msg::text`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Msg {
            $($(#[$doc])* $key,)*
        }

        const EN: &[&str] = &[$($en,)*];
        const FR: &[&str] = &[$($fr,)*];

        impl Msg {
            /// Every message, in the catalogue's order.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// Its text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::En => EN[self as usize],
                    Lang::Fr => FR[self as usize],
                }
            }
        }
    };
}

catalogue! {

    // ---- The frame of every page (base.html, macros.html, views.rs) ----
    /// The first focus stop of every page.
    SkipToContent { en: "Skip to content", fr: "Aller au contenu" }
    SwitchAccountLabel { en: "Account", fr: "Compte" }
    SwitchAccountButton { en: "Switch", fr: "Changer" }
    NavSections { en: "Sections", fr: "Rubriques" }
    LanguageSwitch { en: "Language", fr: "Langue" }
    UnreadBadge { en: "unread notifications", fr: "notifications non lues" }
    ActingAs { en: "Acting as", fr: "Connecté en tant que" }
    AtBlock { en: "block {block}", fr: "bloc {block}" }
    IndexUpToDate { en: "index up to date", fr: "index à jour" }
    IndexBehind { en: "index {n} block behind|index {n} blocks behind", fr: "index en retard de {n} bloc|index en retard de {n} blocs" }
    Footer {
        en: "Records are encrypted in this server before anything is sent; the chain holds hashes, key envelopes and the audit log. Everything on chain is public.",
        fr: "Les dossiers sont chiffrés sur ce serveur avant tout envoi ; la chaîne ne garde que des empreintes, des enveloppes de clés et le journal d'audit. Tout ce qui est sur la chaîne est public."
    }
    NavHome { en: "Home", fr: "Accueil" }
    NavPatient { en: "Patient", fr: "Patient" }
    NavRecords { en: "Records", fr: "Dossiers" }
    NavAccess { en: "Access", fr: "Accès" }
    NavAudit { en: "Audit", fr: "Audit" }
    NavNotifications { en: "Notifications", fr: "Notifications" }
    NavDoctor { en: "Doctor", fr: "Médecin" }
    NavAdmin { en: "Issuer/admin", fr: "Émetteur/admin" }
    NavApps { en: "Apps", fr: "Applications" }
    PagerLabel { en: "Pages", fr: "Pages" }
    PagerFirst { en: "First", fr: "Première" }
    PagerPrevious { en: "Previous", fr: "Précédente" }
    PagerNext { en: "Next", fr: "Suivante" }
    PagerLast { en: "Last", fr: "Dernière" }
    PagerPageOf { en: "Page {page} of {pages}", fr: "Page {page} sur {pages}" }
    Back { en: "Back", fr: "Retour" }
    ErrorTitle { en: "Something went wrong", fr: "Un problème est survenu" }
    /// A block height's date ahead of now: `{date}`, then `{span}` ("7 days").
    WhenAhead { en: "about {date}, in {span}", fr: "vers le {date}, dans {span}" }
    WhenBehind { en: "about {date}, {span} ago", fr: "vers le {date}, il y a {span}" }
    SpanMinutes { en: "{n} minute|{n} minutes", fr: "{n} minute|{n} minutes" }
    SpanHours { en: "{n} hour|{n} hours", fr: "{n} heure|{n} heures" }
    SpanDays { en: "{n} day|{n} days", fr: "{n} jour|{n} jours" }
    Yes { en: "yes", fr: "oui" }
    No { en: "no", fr: "non" }
    UnitBlocks { en: "blocks", fr: "blocs" }
    UnitDays { en: "days", fr: "jours" }
    UnitLabel { en: "Unit", fr: "Unité" }
    ScopeLegend { en: "Scope", fr: "Portée" }
    ScopeRead { en: "read", fr: "lecture" }
    ScopeWrite { en: "write", fr: "écriture" }
    ScopeShare { en: "share", fr: "partage" }
    NoRequests { en: "No requests.", fr: "Aucune demande." }
    NoAccounts { en: "No accounts.", fr: "Aucun compte." }
    ColName { en: "Name", fr: "Nom" }
    ColAddress { en: "Address", fr: "Adresse" }
    ColToken { en: "Token", fr: "Jeton" }
    ColPatient { en: "Patient", fr: "Patient" }
    ColDoctor { en: "Doctor", fr: "Médecin" }
    ColScope { en: "Scope", fr: "Portée" }
    ColRecordType { en: "Record type", fr: "Type de dossier" }
    ColExpires { en: "Expires", fr: "Expire" }
    ColState { en: "State", fr: "État" }
    ColRequest { en: "Request", fr: "Demande" }
    ColBlocks { en: "Blocks", fr: "Blocs" }
    ColReason { en: "Reason", fr: "Motif" }
    ColStatus { en: "Status", fr: "Statut" }
    ColBlock { en: "Block", fr: "Bloc" }
    ColRecord { en: "Record", fr: "Dossier" }
    ColType { en: "Type", fr: "Type" }
    ColVersion { en: "Version", fr: "Version" }
    ColStored { en: "Stored", fr: "Stockage" }
    ColAuthor { en: "Author", fr: "Auteur" }
    RequestsNewestFirst { en: "Requests, newest first", fr: "Demandes, les plus récentes d'abord" }
    AccountsCaption { en: "Accounts", fr: "Comptes" }
    EgObservation { en: "e.g. Observation", fr: "p. ex. Observation" }
    BlocksOrDaysHint { en: "in blocks (about 144 a day) or days", fr: "en blocs (environ 144 par jour) ou en jours" }
    AccountOrAddress { en: "(account name or address)", fr: "(nom de compte ou adresse)" }
    EnableOrDisable { en: "Enable or disable", fr: "Activer ou désactiver" }
    Enable { en: "enable", fr: "activer" }
    Disable { en: "disable", fr: "désactiver" }
    UsedWhenNoFile { en: "used when no file is chosen", fr: "utilisé si aucun fichier n'est choisi" }
    Latest { en: "latest", fr: "la plus récente" }

    // ---- `/` (home.html, home.rs) ----
    HomeTitle { en: "Overview", fr: "Vue d'ensemble" }
    HomeNodeDown { en: "The node does not answer: the pages cannot read the chain until it does.", fr: "Le nœud ne répond pas : les pages ne peuvent pas lire la chaîne tant qu'il ne répond pas." }
    HomeRolesHeading { en: "Roles of this account", fr: "Rôles de ce compte" }
    HomeUnreadOf { en: ": {unread} unread of {count}.", fr: " : {unread} non lues sur {count}." }
    HomeAccountsHeading { en: "Accounts this server acts for", fr: "Comptes pour lesquels ce serveur agit" }
    HomeAccountsIntro { en: "Pick one with the switcher at the top. Their keys stay in this server: pages never show them.", fr: "Choisissez-en un avec le sélecteur en haut. Leurs clés restent sur ce serveur : les pages ne les montrent jamais." }
    RolePatient { en: "Patient", fr: "Patient" }
    RoleDoctor { en: "Doctor", fr: "Médecin" }
    RoleIssuer { en: "Credential issuer", fr: "Émetteur d'attestations" }
    RoleVerifier { en: "Patient verifier", fr: "Vérificateur de patients" }
    RoleAdmin { en: "Registry admin", fr: "Administrateur du registre" }
    RolePatientRegistered { en: "registered at block {block}, {verified}", fr: "inscrit au bloc {block}, {verified}" }
    Verified { en: "verified", fr: "vérifié" }
    NotVerified { en: "not verified", fr: "non vérifié" }
    Deactivated { en: "deactivated", fr: "désactivé" }
    NotRegistered { en: "not registered", fr: "non inscrit" }
    Enabled { en: "enabled", fr: "activé" }
    Disabled { en: "disabled", fr: "désactivé" }
    LinkRecords { en: "records", fr: "dossiers" }
    LinkAccess { en: "access", fr: "accès" }
    LinkAudit { en: "audit", fr: "audit" }
    LinkRegisterPatient { en: "register as a patient", fr: "s'inscrire comme patient" }
    LinkDoctorPage { en: "doctor page", fr: "page médecin" }
    LinkRegisterDoctor { en: "register as a doctor", fr: "s'inscrire comme médecin" }
    LinkVerifyDoctors { en: "verify doctors", fr: "vérifier des médecins" }
    LinkVerifyPatients { en: "verify patients", fr: "vérifier des patients" }
    LinkIssuersVerifiers { en: "issuers and verifiers", fr: "émetteurs et vérificateurs" }
    DoctorSuspended { en: "suspended", fr: "suspendu" }
    DoctorNotVerified { en: "registered, not verified", fr: "inscrit, non vérifié" }
    DoctorVerifiedUntil { en: "verified until block {block} ({left} blocks left)", fr: "vérifié jusqu'au bloc {block} (encore {left} blocs)" }
    DoctorExpired { en: "credential expired at block {block}", fr: "attestation expirée au bloc {block}" }

    // ---- An operation's page (op.html, tx_table.html, ops.rs) ----
    OpTitle { en: "Transaction outcome", fr: "Résultat de la transaction" }
    OpPending { en: "Pending: waiting for the transactions to be mined. This page reloads by itself.", fr: "En attente : les transactions ne sont pas encore minées. Cette page se recharge d'elle-même." }
    OpDone { en: "Done.", fr: "Terminé." }
    OpFailed { en: "Failed.", fr: "Échec." }
    OpAsAccount { en: "As account", fr: "Avec le compte" }
    OpSecondsAgo { en: ", {seconds} s ago.", fr: ", il y a {seconds} s." }
    OpOpenRecord { en: "Open record #{id}", fr: "Ouvrir le dossier n° {id}" }
    OpContinue { en: "Continue", fr: "Continuer" }
    OpNotFound { en: "No such operation: it never existed, or the server has restarted or forgotten it since (it keeps the newest 512). The chain still has every transaction.", fr: "Opération inconnue : elle n'a jamais existé, ou le serveur a redémarré ou l'a oubliée depuis (il garde les 512 plus récentes). La chaîne garde toutes les transactions." }
    TxNone { en: "No transaction was sent.", fr: "Aucune transaction n'a été envoyée." }
    TxCaption { en: "Transactions", fr: "Transactions" }
    TxColTransaction { en: "Transaction", fr: "Transaction" }
    TxColFunction { en: "Function", fr: "Fonction" }
    TxPending { en: "pending", fr: "en attente" }
    TxDone { en: "done", fr: "fait" }
    TxMined { en: "mined", fr: "minée" }
    TxFailed { en: "failed", fr: "échouée" }
    TxInBlock { en: "in block {block}", fr: "dans le bloc {block}" }
    TxByBlock { en: "by block {block}", fr: "au plus tard au bloc {block}" }

    // ---- `/access` and `/access/who` (access.html, who.html, access.rs) ----
    AccessTitle { en: "Access", fr: "Accès" }
    AccessNotPatient { en: "This account is not a registered patient: it can neither grant nor be asked for access. Register on the Patient page.", fr: "Ce compte n'est pas un patient inscrit : il ne peut ni donner un accès ni en recevoir la demande. Inscrivez-vous sur la page Patient." }
    AccessGrantsHeading { en: "Grants", fr: "Accès donnés" }
    AccessTokensIssued { en: "{n} access token issued for your records.|{n} access tokens issued for your records.", fr: "{n} jeton d'accès émis pour vos dossiers.|{n} jetons d'accès émis pour vos dossiers." }
    AccessWhoLink { en: "Who can see my records now", fr: "Qui peut voir mes dossiers maintenant" }
    AccessNoGrants { en: "No grants yet.", fr: "Aucun accès donné pour l'instant." }
    AccessTokensCaption { en: "Access tokens, newest first", fr: "Jetons d'accès, les plus récents d'abord" }
    AccessColGrantee { en: "Grantee", fr: "Bénéficiaire" }
    AccessHandTo { en: "Hand to", fr: "Remettre à" }
    AccessHandOver { en: "Hand over", fr: "Remettre" }
    AccessRevoke { en: "Revoke", fr: "Révoquer" }
    AccessRevokeKeepKeys { en: "Revoke, keep keys", fr: "Révoquer, garder les clés" }
    AccessGrantHeading { en: "Grant access", fr: "Donner un accès" }
    AccessGrantIntro { en: "To a verified doctor. With read scope, the keys of your latest records (of the type, if one is given) are shared with the doctor at once.", fr: "À un médecin vérifié. Avec la portée lecture, les clés de vos derniers dossiers (du type indiqué, s'il y en a un) sont partagées aussitôt avec le médecin." }
    AccessScopeWriteLong { en: "write (add records for you)", fr: "écriture (ajouter des dossiers pour vous)" }
    AccessScopeShareLong { en: "share (give keys to others)", fr: "partage (donner les clés à d'autres)" }
    AccessOnlyType { en: "Only records of type (empty: all)", fr: "Seulement les dossiers du type (vide : tous)" }
    AccessExpiresIn { en: "Expires in", fr: "Expire dans" }
    AccessShareKeysNow { en: "Share my records' keys with the doctor now", fr: "Partager maintenant les clés de mes dossiers avec le médecin" }
    AccessForPatient { en: "For patient (as their guardian; empty: for yourself)", fr: "Pour le patient (en tant que tuteur ; vide : pour vous-même)" }
    AccessForPatientHint { en: "a guardian grants for its ward; the ward shares record keys itself", fr: "un tuteur donne l'accès pour son pupille ; le pupille partage lui-même les clés des dossiers" }
    AccessGrantButton { en: "Grant", fr: "Donner l'accès" }
    AccessCreateHeading { en: "Create a token to hand over", fr: "Créer un jeton à remettre" }
    AccessCreateIntro { en: "A token you hold yourself, to give to a doctor later (at a visit): it appears in the list above with a \"Hand over\" form.", fr: "Un jeton que vous gardez, pour le remettre plus tard à un médecin (lors d'une consultation) : il apparaît dans la liste ci-dessus avec un formulaire « Remettre »." }
    AccessCreateButton { en: "Create token", fr: "Créer le jeton" }
    AccessRequestsHeading { en: "Access requests", fr: "Demandes d'accès" }
    AccessRequestCount { en: "{n} request; {pending} pending on this page.|{n} requests; {pending} pending on this page.", fr: "{n} demande ; {pending} en attente sur cette page.|{n} demandes ; {pending} en attente sur cette page." }
    AccessShareMyKeys { en: "share my records' keys", fr: "partager les clés de mes dossiers" }
    AccessApprove { en: "Approve", fr: "Accepter" }
    AccessDeny { en: "Deny", fr: "Refuser" }
    AccessEmergencyIsOn { en: "Emergency access (opt out or allow) is on the", fr: "L'accès d'urgence (refuser ou autoriser) se règle sur la" }
    AccessPatientPageLink { en: "Patient page", fr: "page Patient" }
    AllTypes { en: "all", fr: "tous" }
    TokenActive { en: "active", fr: "actif" }
    TokenExpired { en: "expired", fr: "expiré" }
    TokenRevoked { en: "revoked", fr: "révoqué" }
    TokenEmergencyNote { en: " (emergency)", fr: " (urgence)" }
    RequestPending { en: "pending", fr: "en attente" }
    RequestApproved { en: "approved", fr: "acceptée" }
    RequestDenied { en: "denied", fr: "refusée" }
    RequestTokenNote { en: ": token #{token}", fr: " : jeton n° {token}" }
    WhoTitle { en: "Who can see my records", fr: "Qui peut voir mes dossiers" }
    WhoNobody { en: "Nobody but you can see your records now: no access you gave is active.", fr: "Personne d'autre que vous ne peut voir vos dossiers en ce moment : aucun accès que vous avez donné n'est actif." }
    WhoNobodyButGuardians { en: "Nobody but you and your guardians can see your records now: no access you gave is active.", fr: "Personne d'autre que vous et vos tuteurs ne peut voir vos dossiers en ce moment : aucun accès que vous avez donné n'est actif." }
    WhoBesides { en: "Besides you, these can see your records now:", fr: "En plus de vous, ces personnes peuvent voir vos dossiers en ce moment :" }
    WhoBesidesGuardians { en: "Besides you and your guardians, these can see your records now:", fr: "En plus de vous et de vos tuteurs, ces personnes peuvent voir vos dossiers en ce moment :" }
    WhoCan { en: "can {can} {what}", fr: "peut {can} {what}" }
    WhoUntil { en: ", until block {block}", fr: ", jusqu'au bloc {block}" }
    WhoEmergency { en: ", under emergency access", fr: ", au titre de l'accès d'urgence" }
    WhoToken { en: "(token #{token}).", fr: "(jeton n° {token})." }
    WhoKeysNote { en: "Seeing a record also needs its key, which you share with each grant or from the record's page; every view a doctor makes is in your", fr: "Voir un dossier demande aussi sa clé, que vous partagez avec chaque accès ou depuis la page du dossier ; chaque consultation par un médecin figure dans votre" }
    WhoAuditLink { en: "audit trail", fr: "journal d'audit" }
    WhoRevokeOn { en: ". Revoke access on the", fr: ". Révoquez un accès sur la" }
    WhoAccessLink { en: "Access page", fr: "page Accès" }
    WhoYourTypeRecords { en: "your {kind} records", fr: "vos dossiers {kind}" }
    WhoAllYourRecords { en: "all your records", fr: "tous vos dossiers" }
    VerbRead { en: "read", fr: "lire" }
    VerbAddTo { en: "add to", fr: "compléter" }
    VerbShare { en: "share", fr: "partager" }
    VerbHold { en: "hold", fr: "détenir" }
    ListAnd { en: "and", fr: "et" }

    // ---- Errors (error.rs, extract.rs, mod.rs) ----
    ErrorUnknownAccount { en: "This server does not act for an account named `{name}`. Pick one of its accounts above.", fr: "Ce serveur n'agit pour aucun compte nommé `{name}`. Choisissez l'un de ses comptes ci-dessus." }
    ErrorCsrf { en: "missing or wrong CSRF token: reload the page and submit again", fr: "jeton CSRF absent ou erroné : rechargez la page et envoyez à nouveau" }
    ErrorRender { en: "the page could not be rendered: {why}", fr: "la page n'a pas pu être affichée : {why}" }

    // ---- `/admin` (admin.html, admin.rs) ----
    AdminTitle { en: "Issuer and admin", fr: "Émetteur et administration" }
    AdminYou { en: "you", fr: "vous" }
    AdminPeopleHeading { en: "This server's accounts", fr: "Les comptes de ce serveur" }
    AdminColIssuer { en: "Issuer", fr: "Émetteur" }
    IssuerWord { en: "issuer", fr: "émetteur" }
    Registered { en: "registered", fr: "inscrit" }
    AdminVerifyDoctorHeading { en: "Verify a doctor", fr: "Vérifier un médecin" }
    AdminValidFor { en: "Credential valid for", fr: "Attestation valable pendant" }
    AdminValidForHint { en: "in blocks (about 52,560 a year) or days", fr: "en blocs (environ 52 560 par an) ou en jours" }
    AdminVerifyDoctorButton { en: "Verify doctor", fr: "Vérifier le médecin" }
    AdminSuspendHeading { en: "Suspend a doctor", fr: "Suspendre un médecin" }
    AdminSuspendHint { en: "issuers and the admin may suspend", fr: "les émetteurs et l'administrateur peuvent suspendre" }
    AdminSuspendButton { en: "Suspend doctor", fr: "Suspendre le médecin" }
    AdminVerifyPatientHint { en: "after checking the identifier off chain", fr: "après avoir vérifié l'identifiant hors chaîne" }
    AdminVerifyPatientButton { en: "Verify patient", fr: "Vérifier le patient" }
    AdminHeading { en: "Admin", fr: "Administration" }
    AdminSetIssuerHeading { en: "Set a credential issuer", fr: "Désigner un émetteur d'attestations" }
    AdminIssuerLabel { en: "Issuer", fr: "Émetteur" }
    AdminIssuerKey { en: "Issuer's attestation public key (hex)", fr: "Clé publique d'attestation de l'émetteur (hex)" }
    AdminIssuerKeyHint { en: "33 bytes compressed; leave empty for one of this server's accounts", fr: "33 octets, forme compressée ; laisser vide pour un compte de ce serveur" }
    AdminSetIssuerButton { en: "Set issuer", fr: "Enregistrer l'émetteur" }
    AdminSetVerifierHeading { en: "Set a patient verifier", fr: "Désigner un vérificateur de patients" }
    AdminVerifierLabel { en: "Verifier", fr: "Vérificateur" }
    AdminSetVerifierButton { en: "Set verifier", fr: "Enregistrer le vérificateur" }
    AdminHandOverHeading { en: "Hand the administrator role over", fr: "Transmettre le rôle d'administrateur" }
    AdminHandOverIntro { en: "In two steps: the current administrator proposes a successor, and the role moves only when the successor accepts.", fr: "En deux étapes : l'administrateur actuel propose un successeur, et le rôle ne change de main que lorsque le successeur accepte." }
    AdminRegistry { en: "Registry", fr: "Registre" }
    AdminPatientRegistry { en: "patient-registry (verifiers)", fr: "patient-registry (vérificateurs)" }
    AdminDoctorRegistry { en: "doctor-registry (issuers)", fr: "doctor-registry (émetteurs)" }
    AdminSuccessor { en: "Successor", fr: "Successeur" }
    AdminProposeButton { en: "Propose successor", fr: "Proposer le successeur" }
    AdminAcceptButton { en: "Accept the administrator role", fr: "Accepter le rôle d'administrateur" }

    // ---- `/doctor` (doctor.html, doctor.rs) ----
    DoctorTitle { en: "Doctor", fr: "Médecin" }
    DoctorNotRegistered { en: "This account is not a registered doctor.", fr: "Ce compte n'est pas un médecin inscrit." }
    DoctorRegisterHeading { en: "Register as a doctor", fr: "S'inscrire comme médecin" }
    DoctorRegisterIntro { en: "Only sha256(salt ++ licence) goes on chain; the salt is shown once, for you and your credential issuer.", fr: "Seul sha256(sel ++ numéro d'exercice) va sur la chaîne ; le sel n'est montré qu'une fois, pour vous et votre émetteur d'attestations." }
    DoctorLicence { en: "Licence number", fr: "Numéro d'exercice" }
    DoctorSpecialty { en: "Specialty", fr: "Spécialité" }
    DoctorGeneralPractice { en: "general practice", fr: "médecine générale" }
    DoctorRegisterButton { en: "Register", fr: "S'inscrire" }
    DoctorCredential { en: "Credential", fr: "Attestation" }
    DoctorVerifiedBy { en: "Verified by", fr: "Vérifié par" }
    DoctorRegistered { en: "Registered", fr: "Inscrit" }
    DoctorLicenceHash { en: "Licence hash", fr: "Empreinte du numéro d'exercice" }
    DoctorUntilVerified { en: "Until a credential issuer verifies you, patients cannot grant you access and you cannot request it.", fr: "Tant qu'un émetteur d'attestations ne vous a pas vérifié, les patients ne peuvent pas vous donner d'accès et vous ne pouvez pas en demander." }
    DoctorKeyHeading { en: "Encryption key", fr: "Clé de chiffrement" }
    DoctorKeyIntro { en: "Replace a lost or leaked key: records shared from now on are wrapped to the new one.", fr: "Remplacez une clé perdue ou divulguée : les dossiers partagés à partir de maintenant sont scellés pour la nouvelle." }
    DoctorNewKey { en: "New encryption public key (hex)", fr: "Nouvelle clé publique de chiffrement (hex)" }
    DoctorNewKeyHint { en: "33 bytes compressed; leave empty for this account's own key", fr: "33 octets, forme compressée ; laisser vide pour la clé propre à ce compte" }
    DoctorReplaceKey { en: "Replace key", fr: "Remplacer la clé" }
    DoctorPatientsHeading { en: "Patients you may read", fr: "Patients que vous pouvez lire" }
    DoctorPatientsIntro { en: "Your access tokens, newest first. Reading a record logs a view on chain.", fr: "Vos jetons d'accès, les plus récents d'abord. Lire un dossier inscrit une consultation sur la chaîne." }
    DoctorNoTokens { en: "No access tokens: ask a patient with a request below.", fr: "Aucun jeton d'accès : demandez à un patient avec le formulaire ci-dessous." }
    DoctorTokensCaption { en: "Access tokens held", fr: "Jetons d'accès détenus" }
    DoctorRequestHeading { en: "Request access", fr: "Demander un accès" }
    DoctorDuration { en: "Duration after approval", fr: "Durée après acceptation" }
    DoctorReasonShown { en: "Reason (shown to the patient)", fr: "Motif (montré au patient)" }
    DoctorSendRequest { en: "Send request", fr: "Envoyer la demande" }
    DoctorYourRequests { en: "Your requests", fr: "Vos demandes" }
    EmergencyHeading { en: "Emergency access", fr: "Accès d'urgence" }
    DoctorEmergencyIntro { en: "Short read-only access (144 blocks) to a patient who has not opted out; always audited and notified to the patient and guardians. You still need the record keys shared to decrypt.", fr: "Un accès court en lecture seule (144 blocs) à un patient qui ne l'a pas refusé ; toujours audité et notifié au patient et à ses tuteurs. Il vous faut encore les clés des dossiers pour les déchiffrer." }
    DoctorReasonHashed { en: "kept as a hash in the audit log", fr: "gardé sous forme d'empreinte dans le journal d'audit" }
    DoctorEmergencyButton { en: "Request emergency access", fr: "Demander un accès d'urgence" }

    // ---- Proofs: `/verify-proof` and a proof made (verify.html, proof_qr.html, proofs.rs) ----
    VerifyTitle { en: "Verify a proof", fr: "Vérifier une preuve" }
    VerifyTheLink { en: "the link", fr: "le lien" }
    VerifyTheForm { en: "the form", fr: "le formulaire" }
    VerifyUnreadable { en: "{what} could not be read: {why}", fr: "{what} n'a pas pu être lu : {why}" }
    VerifyTooLarge { en: "that is far larger than a proof", fr: "c'est bien plus gros qu'une preuve" }
    VerifyChainDown { en: "the chain could not be read, so the proof was not checked: {why}", fr: "la chaîne n'a pas pu être lue, la preuve n'a donc pas été vérifiée : {why}" }
    VerifyDoesNot { en: "Does NOT verify: {why}", fr: "La preuve n'est PAS valable : {why}" }
    VerifyVerified { en: "Verified: {claim}", fr: "Vérifiée : {claim}" }
    VerifyAnchored { en: "Anchored", fr: "Ancrée" }
    VerifyReveals { en: "What the proof reveals", fr: "Ce que la preuve révèle" }
    VerifyIntro { en: "Paste a proof: the file (JSON), a compact proof or a proof's link. It is checked against the chain: the proof itself, the author's signature, the anchor on chain, that the author is the patient or a verified doctor, and that the record is the latest version. No account is needed, and nothing is written.", fr: "Collez une preuve : le fichier (JSON), une preuve compacte ou le lien d'une preuve. Elle est vérifiée sur la chaîne : la preuve elle-même, la signature de l'auteur, l'ancrage sur la chaîne, que l'auteur est le patient ou un médecin vérifié, et que le dossier est sa dernière version. Aucun compte n'est nécessaire, et rien n'est écrit." }
    VerifyProofLabel { en: "Proof", fr: "Preuve" }
    VerifyButton { en: "Verify", fr: "Vérifier" }
    ProofTitle { en: "A proof to share", fr: "Une preuve à partager" }
    ProofMade { en: "Proof made: {claim}", fr: "Preuve créée : {claim}" }
    ProofQrCaption { en: "QR code of the verifier link for record #{id}: {claim}", fr: "Code QR du lien de vérification pour le dossier n° {id} : {claim}" }
    ProofScanOpens { en: "Anyone who scans it opens", fr: "Quiconque le scanne ouvre" }
    ProofVerifierPage { en: "the verifier page", fr: "la page de vérification" }
    ProofLinkWorks { en: "with this proof; it checks the proof against the chain and needs no account. The link works while this server is reachable at {host}; the file and the text below work with any verifier (ehr verify-proof takes either).", fr: "avec cette preuve ; elle vérifie la preuve sur la chaîne et ne demande aucun compte. Le lien fonctionne tant que ce serveur est joignable à {host} ; le fichier et le texte ci-dessous fonctionnent avec n'importe quel vérificateur (ehr verify-proof accepte les deux)." }
    ProofDownload { en: "Download the proof file", fr: "Télécharger le fichier de preuve" }
    ProofLinkAsText { en: "The link, as text", fr: "Le lien, en texte" }

    // ---- FHIR cards (fhir_card.rs): the labels of a record's lines ----
    CardBorn { en: "Born", fr: "Naissance" }
    CardCategory { en: "Category", fr: "Catégorie" }
    CardClass { en: "Class", fr: "Classe" }
    CardClinicalStatus { en: "Clinical status", fr: "Statut clinique" }
    CardComponent { en: "Component", fr: "Composante" }
    CardConclusion { en: "Conclusion", fr: "Conclusion" }
    CardCriticality { en: "Criticality", fr: "Criticité" }
    CardDate { en: "Date", fr: "Date" }
    CardDosage { en: "Dosage", fr: "Posologie" }
    CardDose { en: "Dose", fr: "Dose" }
    CardGender { en: "Gender", fr: "Sexe" }
    CardGiven { en: "Given", fr: "Administré le" }
    CardIntent { en: "Intent", fr: "Intention" }
    CardInterpretation { en: "Interpretation", fr: "Interprétation" }
    CardLot { en: "Lot", fr: "Lot" }
    CardOutcome { en: "Outcome", fr: "Résultat" }
    CardPerformed { en: "Performed", fr: "Réalisé le" }
    CardReaction { en: "Reaction", fr: "Réaction" }
    CardReason { en: "Reason", fr: "Motif" }
    CardRecorded { en: "Recorded", fr: "Enregistré le" }
    CardReferenceRange { en: "Reference range", fr: "Valeurs de référence" }
    CardResults { en: "Results", fr: "Résultats" }
    CardSeverity { en: "Severity", fr: "Gravité" }
    CardSince { en: "Since", fr: "Depuis" }
    CardStatus { en: "Status", fr: "Statut" }
    CardValue { en: "Value", fr: "Valeur" }
    CardVerification { en: "Verification", fr: "Vérification" }
    CardWhen { en: "When", fr: "Date" }
    /// A record's one-line summary in the record list and the timeline (`fhir_card::Line`).
    GistLabelledWords { en: "{label}: {title} ({words})", fr: "{label} : {title} ({words})" }
    GistLabelled { en: "{label}: {title}", fr: "{label} : {title}" }
    GistCondition { en: "Condition", fr: "Affection" }
    GistAllergy { en: "Allergy", fr: "Allergie" }
    GistVaccine { en: "Vaccine", fr: "Vaccin" }
    GistVisit { en: "Visit", fr: "Consultation" }
    GistProcedure { en: "Procedure", fr: "Acte" }
    GistPatient { en: "Patient", fr: "Patient" }
    GistBorn { en: "born {date}", fr: "né(e) le {date}" }
    /// A range or a period in a card: `{low}` and `{high}` are values or dates.
    CardSpan { en: "{low} to {high}", fr: "{low} à {high}" }
    CardAtLeast { en: "at least {low}", fr: "au moins {low}" }
    CardAtMost { en: "at most {high}", fr: "au plus {high}" }
    CardFrom { en: "from {date}", fr: "depuis le {date}" }
    CardUntil { en: "until {date}", fr: "jusqu'au {date}" }

    // ---- `/audit` (audit.html, audit.rs) ----
    AuditChainVerified { en: "Hash chain verified", fr: "Chaîne d'empreintes vérifiée" }
    AuditChainBroken { en: "Hash chain BROKEN", fr: "Chaîne d'empreintes ROMPUE" }
    AuditNoEntries { en: "No audit entries.", fr: "Aucune entrée d'audit." }
    AuditCaption { en: "Audit entries, newest first", fr: "Entrées d'audit, les plus récentes d'abord" }
    AuditColEntry { en: "Entry", fr: "Entrée" }
    AuditColAction { en: "Action", fr: "Action" }
    AuditColActor { en: "Actor", fr: "Acteur" }
    AuditColRef { en: "Ref", fr: "Réf." }
    AuditColHash { en: "Entry hash", fr: "Empreinte de l'entrée" }
    AuditBreaksHere { en: "breaks here", fr: "rompue ici" }
    AuditExportHeading { en: "Export", fr: "Export" }
    AuditExportIntro { en: "The whole trail, verified first:", fr: "Tout le journal, vérifié d'abord :" }
    AuditForCli { en: "for", fr: "pour" }
    AuditMyTitle { en: "My audit trail", fr: "Mon journal d'audit" }
    AuditTitle { en: "Audit trail", fr: "Journal d'audit" }
    AuditNoEntriesYet { en: "(no entries yet)", fr: "(aucune entrée pour l'instant)" }
    AuditChecked { en: "for entries {lo}-{hi} of {count} (each hash recomputed, each linked to the entry before it in the global log)", fr: "pour les entrées {lo} à {hi} sur {count} (chaque empreinte recalculée, chacune liée à l'entrée qui la précède dans le journal global)" }

    // ---- `/notifications` (notifications.html, notifications.rs) ----
    NotifTitle { en: "Notifications", fr: "Notifications" }
    NotifUnreadOf { en: "unread of {count}. New notifications appear here as they arrive.", fr: "non lues sur {count}. Les nouvelles notifications apparaissent ici dès leur arrivée." }
    NotifMarkAll { en: "Mark all read (up to {max})", fr: "Tout marquer comme lu (jusqu'à {max})" }
    NotifNone { en: "No notifications.", fr: "Aucune notification." }
    NotifCaption { en: "Notifications, newest first", fr: "Notifications, les plus récentes d'abord" }
    NotifColWhat { en: "What", fr: "Quoi" }
    NotifColAbout { en: "About", fr: "Objet" }
    NotifColFrom { en: "From", fr: "De" }
    NotifRead { en: "read", fr: "lue" }
    NotifUnread { en: "unread", fr: "non lue" }
    NotifMarkRead { en: "Mark read", fr: "Marquer comme lue" }

    // ---- `/records` and a record (records.html, record.html, record_view.html, records.rs) ----
    RecordsMyTitle { en: "My records", fr: "Mes dossiers" }
    RecordsOtherTitle { en: "Records of a patient", fr: "Dossiers d'un patient" }
    RecordsCount { en: "{n} record version on chain.|{n} record versions on chain.", fr: "{n} version de dossier sur la chaîne.|{n} versions de dossiers sur la chaîne." }
    RecordsNone { en: "No records yet.", fr: "Aucun dossier pour l'instant." }
    RecordsCaption { en: "Records, newest first", fr: "Dossiers, les plus récents d'abord" }
    RecordsTimelineLink { en: "See them by the date they were taken", fr: "Les voir par date de prise" }
    ColTaken { en: "Taken", fr: "Pris le" }
    ColSummary { en: "Summary", fr: "Résumé" }

    // ---- /records/timeline (timeline.rs) ----
    TimelineTitleOwn { en: "My timeline", fr: "Ma chronologie" }
    TimelineTitleOther { en: "Timeline of a patient", fr: "Chronologie d'un patient" }
    TimelineCount { en: "{n} record in the order it was taken, newest first.|{n} records in the order they were taken, newest first.", fr: "{n} dossier dans l'ordre de prise, le plus récent d'abord.|{n} dossiers dans l'ordre de prise, les plus récents d'abord." }
    TimelineRecordsLink { en: "All records, as written on chain", fr: "Tous les dossiers, tels qu'inscrits sur la chaîne" }
    TimelineUnplaced { en: "{n} record is not on the timeline: its date is in its encrypted content, which this page reads for the patient only (a doctor opens a record to read it, and that view is logged).|{n} records are not on the timeline: their dates are in their encrypted content, which this page reads for the patient only (a doctor opens a record to read it, and that view is logged).", fr: "{n} dossier n'est pas sur la chronologie : sa date est dans son contenu chiffré, que cette page ne lit que pour le patient (un médecin ouvre le dossier pour le lire, et cette consultation est journalisée).|{n} dossiers ne sont pas sur la chronologie : leurs dates sont dans leur contenu chiffré, que cette page ne lit que pour le patient (un médecin ouvre un dossier pour le lire, et cette consultation est journalisée)." }
    TimelineTruncated { en: "Only the newest {max} record versions are placed here; older ones are in the record list.", fr: "Seules les {max} versions de dossiers les plus récentes figurent ici ; les plus anciennes sont dans la liste des dossiers." }
    TimelineEmpty { en: "Nothing to show yet.", fr: "Rien à afficher pour l'instant." }
    /// A month heading of the timeline: `{month} {year}`.
    TimelineMonth { en: "{month} {year}", fr: "{month} {year}" }
    MonthJanuary { en: "January", fr: "janvier" }
    MonthFebruary { en: "February", fr: "février" }
    MonthMarch { en: "March", fr: "mars" }
    MonthApril { en: "April", fr: "avril" }
    MonthMay { en: "May", fr: "mai" }
    MonthJune { en: "June", fr: "juin" }
    MonthJuly { en: "July", fr: "juillet" }
    MonthAugust { en: "August", fr: "août" }
    MonthSeptember { en: "September", fr: "septembre" }
    MonthOctober { en: "October", fr: "octobre" }
    MonthNovember { en: "November", fr: "novembre" }
    MonthDecember { en: "December", fr: "décembre" }

    // ---- /patient/update-key confirmation (key_change.html) ----
    KeyChangeTitle { en: "Replace the encryption key", fr: "Remplacer la clé de chiffrement" }
    KeyChangeHeading { en: "What this changes", fr: "Ce que cela change" }
    KeyChangeNow { en: "Key now", fr: "Clé actuelle" }
    KeyChangeNew { en: "New key", fr: "Nouvelle clé" }
    KeyChangeNewRecords { en: "Records added from now on are encrypted to the new key: only whoever holds its secret key opens them.", fr: "Les dossiers ajoutés désormais sont chiffrés pour la nouvelle clé : seul le détenteur de sa clé secrète peut les ouvrir." }
    KeyChangeOldRecords { en: "Records already written keep the key they were encrypted to: the old key still opens them. Keep it, or rotate each record from its page while you can still open it.", fr: "Les dossiers déjà écrits gardent la clé pour laquelle ils ont été chiffrés : l'ancienne clé les ouvre toujours. Gardez-la, ou renouvelez la clé de chaque dossier depuis sa page tant que vous pouvez encore l'ouvrir." }
    KeyChangeDoctors { en: "Doctors keep the keys already shared with them; new shares are made by whoever holds the new key.", fr: "Les médecins gardent les clés déjà partagées avec eux ; les nouveaux partages sont faits par le détenteur de la nouvelle clé." }
    KeyChangeServerKeeps { en: "The new key is this server's key for the account: the dashboard keeps opening new records.", fr: "La nouvelle clé est celle de ce serveur pour ce compte : le tableau de bord continue d'ouvrir les nouveaux dossiers." }
    KeyChangeServerLoses { en: "This server does not hold the new key's secret: it will not open records added after the change.", fr: "Ce serveur ne détient pas le secret de la nouvelle clé : il n'ouvrira pas les dossiers ajoutés après le changement." }
    KeyChangeWardTold { en: "The patient is told that its guardian changed its key.", fr: "Le patient est informé que son tuteur a changé sa clé." }
    KeyChangeRecorded { en: "The change is recorded on chain and in the patient's audit trail.", fr: "Le changement est inscrit sur la chaîne et dans le journal d'audit du patient." }
    KeyChangeButton { en: "Replace the key", fr: "Remplacer la clé" }
    Cancel { en: "Cancel", fr: "Annuler" }

    // ---- An issuer's attestation (attestation.html) ----
    AttestTitle { en: "Attestation signed", fr: "Attestation signée" }
    AccessTitleWard { en: "Access, as guardian", fr: "Accès, en tant que tuteur" }
    PatientTitleWard { en: "Patient, as guardian", fr: "Patient, en tant que tuteur" }
    AttestNotIssuer { en: "This account is not an enabled credential issuer now: the contract will refuse this attestation until the admin enables it.", fr: "Ce compte n'est pas un émetteur de titres activé pour l'instant : le contrat refusera cette attestation tant que l'administrateur ne l'aura pas activé." }
    AttestIntro { en: "Signed here, with nothing sent to the chain. Hand these three values to the doctor: it submits them on its Doctor page (or with", fr: "Signée ici, sans rien envoyer à la chaîne. Remettez ces trois valeurs au médecin : il les soumet sur sa page Médecin (ou avec" }
    AttestIntroEnd { en: "), and is verified until the expiry.", fr: "), et il est vérifié jusqu'à l'expiration." }
    AttestIssuer { en: "Issuer", fr: "Émetteur" }
    AttestExpiresAt { en: "Expires at block", fr: "Expire au bloc" }
    AttestSignature { en: "Signature", fr: "Signature" }
    AttestHash { en: "Hash signed", fr: "Empreinte signée" }
    AttestHoldsFor { en: "The signature holds only for this doctor and its registered licence, this expiry, this issuer and this deployment; it can be used once.", fr: "La signature ne vaut que pour ce médecin et sa licence enregistrée, cette expiration, cet émetteur et ce déploiement ; elle ne sert qu'une fois." }
    RecordsColKeyForMe { en: "Key for me", fr: "Clé pour moi" }
    RecordsSupersededBy { en: "superseded by", fr: "remplacé par" }
    RecordsAddHeading { en: "Add a record", fr: "Ajouter un dossier" }
    RecordsAddIntro { en: "A FHIR R4 JSON resource or Bundle (one record per entry), or any file. It is encrypted here, before anything leaves this server.", fr: "Une ressource FHIR R4 en JSON ou un Bundle (un dossier par entrée), ou n'importe quel fichier. Il est chiffré ici, avant que quoi que ce soit ne quitte ce serveur." }
    RecordsAddForOther { en: "Adding a record for another patient needs write access (or being its guardian).", fr: "Ajouter un dossier pour un autre patient demande un accès en écriture (ou d'être son tuteur)." }
    RecordsFile { en: "File", fr: "Fichier" }
    RecordsFileHint { en: "FHIR JSON or any file", fr: "JSON FHIR ou n'importe quel fichier" }
    RecordsPaste { en: "Or paste FHIR JSON or text", fr: "Ou collez du JSON FHIR ou du texte" }
    RecordsTypeLabel { en: "Record type for a non-FHIR file", fr: "Type de dossier pour un fichier non FHIR" }
    RecordsTypeHint { en: "FHIR records take their resourceType", fr: "les dossiers FHIR prennent leur resourceType" }
    RecordsAddButton { en: "Encrypt and add", fr: "Chiffrer et ajouter" }
    RecordsOnChain { en: "on chain ({n} chunk)|on chain ({n} chunks)", fr: "sur la chaîne ({n} fragment)|sur la chaîne ({n} fragments)" }
    RecordNumber { en: "Record #{id}", fr: "Dossier n° {id}" }
    RecordPrevious { en: "Previous version", fr: "Version précédente" }
    RecordSupersededBy { en: "Superseded by", fr: "Remplacé par" }
    RecordContentHash { en: "Content hash", fr: "Empreinte du contenu" }
    RecordEnvelopeForMe { en: "Key envelope for me", fr: "Enveloppe de clé pour moi" }
    RecordReadHeading { en: "Read", fr: "Lire" }
    RecordDecryptView { en: "Decrypt and view", fr: "Déchiffrer et afficher" }
    RecordDecryptNote { en: "(checked against the on-chain hash; nothing is sent)", fr: "(vérifié avec l'empreinte sur la chaîne ; rien n'est envoyé)" }
    RecordHolderNoKey { en: "You act for this patient but hold no key envelope for this record: the patient can share it with you.", fr: "Vous agissez pour ce patient mais ne détenez aucune enveloppe de clé pour ce dossier : le patient peut la partager avec vous." }
    RecordGranteeNoKey { en: "You have read access, but no key envelope for this record yet: the patient (or a holder with share scope) must share it with you.", fr: "Vous avez un accès en lecture, mais pas encore d'enveloppe de clé pour ce dossier : le patient (ou un détenteur avec la portée partage) doit la partager avec vous." }
    RecordGranteeIntro { en: "You read under your access token; opening logs a view on chain (the patient sees it in the audit trail).", fr: "Vous lisez grâce à votre jeton d'accès ; l'ouverture inscrit une consultation sur la chaîne (le patient la voit dans son journal d'audit)." }
    RecordOpenButton { en: "Open (log the view on chain)", fr: "Ouvrir (inscrire la consultation sur la chaîne)" }
    RecordProveHeading { en: "Share a proof", fr: "Partager une preuve" }
    RecordProveIntro { en: "Prove a claim about this record without revealing the value: the proof (a file, or a QR code a phone opens) can be checked by anyone on", fr: "Prouvez une affirmation sur ce dossier sans en révéler la valeur : la preuve (un fichier, ou un code QR qu'un téléphone ouvre) peut être vérifiée par n'importe qui sur" }
    RecordProveCli { en: "or with ehr verify-proof.", fr: "ou avec ehr verify-proof." }
    RecordProveSet { en: "Signed claims set (from the record's author)", fr: "Ensemble d'affirmations signé (de l'auteur du dossier)" }
    RecordProveSetHint { en: "the file `ehr claims commit` wrote", fr: "le fichier écrit par `ehr claims commit`" }
    RecordProveField { en: "Field", fr: "Champ" }
    RecordProveFieldHint { en: "e.g. valueQuantity.value, birthDate, occurrenceDateTime", fr: "p. ex. valueQuantity.value, birthDate, occurrenceDateTime" }
    RecordProveClaim { en: "Claim", fr: "Affirmation" }
    ClaimBelow { en: "below (the value is less than A)", fr: "en dessous (la valeur est inférieure à A)" }
    ClaimAtLeast { en: "at least (the value is A or more)", fr: "au moins (la valeur est A ou plus)" }
    ClaimBetween { en: "between A and B (both included)", fr: "entre A et B (inclus)" }
    ClaimWithinDays { en: "a date within the last A days", fr: "une date dans les A derniers jours" }
    RecordProveAHint { en: "in the field's unit, a date as YYYY-MM-DD, or days", fr: "dans l'unité du champ, une date AAAA-MM-JJ, ou des jours" }
    RecordProveB { en: "B (between only)", fr: "B (pour « entre » seulement)" }
    RecordProveAs { en: "Share as", fr: "Partager sous forme de" }
    RecordProveAsFile { en: "a file to download", fr: "un fichier à télécharger" }
    RecordProveAsQr { en: "a QR code and a link to the verifier page", fr: "un code QR et un lien vers la page de vérification" }
    RecordProveButton { en: "Make the proof", fr: "Créer la preuve" }
    RecordAmendHeading { en: "Amend", fr: "Modifier" }
    RecordAmendIntro { en: "A new version; this one is kept and marked superseded.", fr: "Une nouvelle version ; celle-ci est conservée et marquée comme remplacée." }
    RecordAmendFile { en: "New content (file)", fr: "Nouveau contenu (fichier)" }
    RecordAmendPaste { en: "Or paste the new content", fr: "Ou collez le nouveau contenu" }
    RecordAmendButton { en: "Encrypt and amend", fr: "Chiffrer et modifier" }
    RecordRotateHeading { en: "Rotate the key", fr: "Changer la clé" }
    RecordRotateIntro { en: "After a revocation: re-seal this record under a new key as a new version, with key envelopes only for the accounts that may still read it. A revoked doctor's old key opens only the old version.", fr: "Après une révocation : rescellez ce dossier sous une nouvelle clé, en nouvelle version, avec des enveloppes de clé seulement pour les comptes qui peuvent encore le lire. L'ancienne clé d'un médecin révoqué n'ouvre que l'ancienne version." }
    RecordRotateButton { en: "Re-seal under a new key", fr: "Resceller sous une nouvelle clé" }
    RecordShareHeading { en: "Share the key", fr: "Partager la clé" }
    RecordShareIntro { en: "Gives a grantee with read access a key envelope for this record (needs share scope unless you are the patient).", fr: "Donne à un bénéficiaire ayant un accès en lecture une enveloppe de clé pour ce dossier (demande la portée partage, sauf si vous êtes le patient)." }
    RecordShareButton { en: "Share key", fr: "Partager la clé" }
    RecordAllOfPatient { en: "All records of this patient", fr: "Tous les dossiers de ce patient" }
    ViewLogged { en: "View logged on chain.", fr: "Consultation inscrite sur la chaîne." }
    ViewHashVerified { en: "Content hash verified", fr: "Empreinte du contenu vérifiée" }
    ViewAgainstChain { en: "against the chain", fr: "avec la chaîne" }
    ViewDecrypted { en: "; decrypted {n} byte.|; decrypted {n} bytes.", fr: " ; {n} octet déchiffré.| ; {n} octets déchiffrés." }
    ViewRawJson { en: "Raw JSON", fr: "JSON brut" }
    ViewOnlyBeginning { en: "Only the beginning is shown: download the whole record.", fr: "Seul le début est affiché : téléchargez le dossier entier." }
    ViewBinary { en: "Binary content, {n} byte: download it.|Binary content, {n} bytes: download it.", fr: "Contenu binaire, {n} octet : téléchargez-le.|Contenu binaire, {n} octets : téléchargez-le." }
    ViewDownload { en: "Download", fr: "Télécharger" }

    // ---- `/patient` (patient.html, patient.rs) ----
    PatientNotRegistered { en: "This account is not a registered patient.", fr: "Ce compte n'est pas un patient inscrit." }
    PatientRegisterHeading { en: "Register as a patient", fr: "S'inscrire comme patient" }
    PatientRegisterIntro { en: "The identifier (national id, phone number...) never goes on chain: only sha256(salt ++ identifier), with a random salt shown once for you to keep. Records are encrypted to this account's key.", fr: "L'identifiant (numéro national, numéro de téléphone...) ne va jamais sur la chaîne : seulement sha256(sel ++ identifiant), avec un sel aléatoire montré une seule fois, à conserver. Les dossiers sont chiffrés pour la clé de ce compte." }
    PatientIdentifier { en: "Identifier", fr: "Identifiant" }
    PatientIdentifierHint { en: "e.g. a phone number; it stays in this server", fr: "p. ex. un numéro de téléphone ; il reste sur ce serveur" }
    PatientRegistration { en: "Registration", fr: "Inscription" }
    PatientActive { en: "Active", fr: "Actif" }
    PatientNoDeactivated { en: "no (deactivated)", fr: "non (désactivé)" }
    PatientVerified { en: "Verified", fr: "Vérifié" }
    PatientVerifiedBy { en: ", by", fr: ", par" }
    PatientVerifierChecks { en: "(a verifier checks the identifier off chain)", fr: "(un vérificateur contrôle l'identifiant hors chaîne)" }
    PatientIdHash { en: "Identifier hash", fr: "Empreinte de l'identifiant" }
    PatientGuardians { en: "Guardians", fr: "Tuteurs" }
    PatientGuardiansIntro { en: "A guardian acts for you in the patient-side functions once it accepts your proposal (at most 5); it never grants itself access, cannot deactivate you, and you are told of everything it does.", fr: "Un tuteur agit pour vous dans les fonctions côté patient dès qu'il accepte votre proposition (5 au plus) ; il ne se donne jamais d'accès à lui-même, ne peut pas vous désactiver, et vous êtes informé de tout ce qu'il fait." }
    PatientNoGuardians { en: "No guardians.", fr: "Aucun tuteur." }
    PatientGuardian { en: "Guardian", fr: "Tuteur" }
    PatientRemove { en: "Remove", fr: "Retirer" }
    PatientAddGuardian { en: "Add guardian", fr: "Ajouter un tuteur" }
    PatientGuardianOfOtherIntro { en: "Accept a patient's proposal to act for it, or step down. The patient is told either way.", fr: "Acceptez la proposition d'un patient d'agir pour lui, ou retirez-vous. Le patient en est informé dans les deux cas." }
    PatientAcceptProposal { en: "accept the proposal", fr: "accepter la proposition" }
    PatientStepDown { en: "step down", fr: "me retirer" }
    PatientConfirm { en: "Confirm", fr: "Confirmer" }
    PatientEmergencyIs { en: "Emergency access is", fr: "L'accès d'urgence est" }
    PatientAllowed { en: "allowed", fr: "autorisé" }
    PatientEmergencyAllowedNote { en: ": a verified doctor may get short read-only access, always audited and notified to you and your guardians.", fr: " : un médecin vérifié peut obtenir un accès court en lecture seule, toujours audité et notifié à vous et à vos tuteurs." }
    PatientOptOut { en: "Opt out of emergency access", fr: "Refuser l'accès d'urgence" }
    PatientYouHave { en: "You have", fr: "Vous avez" }
    PatientOptedOut { en: "opted out", fr: "refusé" }
    PatientOfEmergency { en: "of emergency access.", fr: "l'accès d'urgence." }
    PatientAllowAgain { en: "Allow emergency access again", fr: "Autoriser de nouveau l'accès d'urgence" }
    PatientEmergencyUnread { en: "The emergency setting could not be read.", fr: "Le réglage d'urgence n'a pas pu être lu." }
    PatientCloseHeading { en: "Close my registration", fr: "Clore mon inscription" }
    PatientCloseIntro { en: "Deactivating is for good: no one can be granted access any more and no record can be added, though the audit log and what is on chain stay. Only you can do it, not a guardian.", fr: "La désactivation est définitive : plus personne ne peut recevoir d'accès et aucun dossier ne peut être ajouté, mais le journal d'audit et ce qui est sur la chaîne restent. Vous seul pouvez le faire, pas un tuteur." }
    PatientType { en: "Type", fr: "Tapez" }
    PatientToConfirm { en: "to confirm", fr: "pour confirmer" }
    PatientDeactivateButton { en: "Deactivate my registration", fr: "Désactiver mon inscription" }

    // ---- SMART apps: `/apps` and the approval page (smart_apps.html, smart_authorize.html, smart/) ----
    SmartAppsTitle { en: "Connected apps", fr: "Applications connectées" }
    SmartAppsIntro { en: "Apps that connected through SMART on FHIR with this account's approval. Revoking ends every token of that connection at once; revoking a patient's grant on chain ends an app's reach to that patient too.", fr: "Les applications connectées par SMART on FHIR avec l'accord de ce compte. Révoquer met fin d'un coup à tous les jetons de cette connexion ; révoquer sur la chaîne l'accès donné par un patient met aussi fin à l'accès de l'application à ce patient." }
    SmartNoApps { en: "No app is connected with this account.", fr: "Aucune application n'est connectée avec ce compte." }
    SmartColApp { en: "App", fr: "Application" }
    SmartColMay { en: "May", fr: "Peut" }
    SmartColApproved { en: "Approved", fr: "Approuvée" }
    SmartAnyPatient { en: "any it may see", fr: "tout patient qu'elle peut voir" }
    SmartHoursAgo { en: "{n} hour ago|{n} hours ago", fr: "il y a {n} heure|il y a {n} heures" }
    SmartMinutesAgo { en: "{n} minute ago|{n} minutes ago", fr: "il y a {n} minute|il y a {n} minutes" }
    SmartJustNow { en: "just now", fr: "à l'instant" }
    SmartConnectTitle { en: "Connect {app}?", fr: "Connecter {app} ?" }
    SmartAppId { en: "app id", fr: "identifiant de l'application" }
    SmartAsksAs { en: "asks to connect to this server as", fr: "demande à se connecter à ce serveur en tant que" }
    SmartWillBeAble { en: ". It will be able to:", fr: ". Elle pourra :" }
    SmartChainDecides { en: "The chain still decides every read: the app reaches only what this account may see, and a grant you revoke ends its reach at once.", fr: "La chaîne décide toujours de chaque lecture : l'application n'atteint que ce que ce compte peut voir, et un accès que vous révoquez y met fin aussitôt." }
    SmartPatientLabel { en: "Patient the app may see", fr: "Patient que l'application peut voir" }
    SmartAllow { en: "Allow", fr: "Autoriser" }
    SmartAllData { en: "all health data", fr: "toutes les données de santé" }
    SmartTypeData { en: "{type} data", fr: "les données {type}" }
    SmartReadAndAdd { en: "read and add", fr: "lire et ajouter" }
    SmartRead { en: "read", fr: "lire" }
    SmartAdd { en: "add", fr: "ajouter" }
    SmartNothingOf { en: "nothing of", fr: "rien de" }
    SmartWhosePatient { en: "of the patient you choose below", fr: "du patient que vous choisissez ci-dessous" }
    SmartWhoseUser { en: "that this account may see", fr: "que ce compte peut voir" }
    SmartWhoseSystem { en: "that this account may see, unattended", fr: "que ce compte peut voir, sans surveillance" }
    SmartKeepAccess { en: "keep access after you close the app (until you revoke it)", fr: "garder l'accès après la fermeture de l'application (jusqu'à ce que vous le révoquiez)" }

    // ---- Guardians acting for a ward, attestations (access, patient, admin, doctor) ----
    AccessWardNotice { en: "You act here as a guardian of", fr: "Vous agissez ici en tant que tuteur de" }
    AccessWardNoticeEnd { en: ": every grant, token, revocation and answer below is made in its name, and it is told of each.", fr: " : chaque accès, jeton, révocation et réponse ci-dessous est fait en son nom, et il est informé de chacun." }
    AccessBackToOwn { en: "Back to your own access", fr: "Revenir à vos propres accès" }
    AccessWardNotPatient { en: "This patient is not registered (or deactivated): it can neither grant nor be asked for access. Register on the Patient page.", fr: "Ce patient n'est pas inscrit (ou est désactivé) : il ne peut ni donner un accès ni en recevoir la demande. L'inscription se fait sur la page Patient." }
    AccessWardTokensIssued { en: "{n} access token issued for the patient's records.|{n} access tokens issued for the patient's records.", fr: "{n} jeton d'accès émis pour les dossiers du patient.|{n} jetons d'accès émis pour les dossiers du patient." }
    AccessGrantIntroWard { en: "To a verified doctor. The patient shares its records' keys itself: a guardian holds none.", fr: "À un médecin vérifié. Le patient partage lui-même les clés de ses dossiers : un tuteur n'en détient aucune." }
    AccessCreateIntroWard { en: "A token the patient holds, to give to a doctor later (at a visit): the patient hands it over from its own access page.", fr: "Un jeton que le patient garde, pour le remettre plus tard à un médecin (lors d'une consultation) : le patient le remet depuis sa propre page d'accès." }
    AdminAttestHeading { en: "Sign an attestation for a doctor", fr: "Signer une attestation pour un médecin" }
    AdminAttestIntro { en: "Nothing goes on chain: the doctor submits the signature itself (useful when the doctor, not the issuer, pays and sends).", fr: "Rien ne va sur la chaîne : le médecin soumet lui-même la signature (utile quand c'est le médecin, et non l'émetteur, qui paie et envoie)." }
    AdminAttestValidForHint { en: "in days or blocks, from now", fr: "en jours ou en blocs, à partir de maintenant" }
    AdminAttestButton { en: "Sign attestation", fr: "Signer l'attestation" }
    DoctorAttestHeading { en: "Verification by an issuer's attestation", fr: "Vérification par l'attestation d'un émetteur" }
    DoctorAttestIntro { en: "An issuer signed an attestation for you (off chain): submit it to be verified until its expiry.", fr: "Un émetteur a signé une attestation pour vous (hors chaîne) : soumettez-la pour être vérifié jusqu'à son expiration." }
    DoctorAttestSignature { en: "Signature (hex)", fr: "Signature (hex)" }
    DoctorAttestSignatureHint { en: "130 hex digits, as the issuer's page shows it", fr: "130 chiffres hexadécimaux, tels que la page de l'émetteur les affiche" }
    DoctorAttestButton { en: "Submit attestation", fr: "Soumettre l'attestation" }
    PatientWardNoticeEnd { en: ": every change below is made in its name, and it is told of each. Its grants and access requests are on", fr: " : chaque changement ci-dessous est fait en son nom, et il est informé de chacun. Ses accès donnés et ses demandes d'accès sont sur" }
    PatientWardAccessPage { en: "its access page", fr: "sa page d'accès" }
    PatientBackToOwn { en: "Back to your own page", fr: "Revenir à votre propre page" }
    PatientWardNotRegistered { en: "This patient is not registered.", fr: "Ce patient n'est pas inscrit." }
    PatientGuardiansIntroWard { en: "A guardian acts for the patient in the patient-side functions once it accepts the proposal (at most 5); it never grants itself access, cannot deactivate the patient, and the patient is told of everything it does.", fr: "Un tuteur agit pour le patient dans les fonctions côté patient dès qu'il accepte la proposition (5 au plus) ; il ne se donne jamais d'accès à lui-même, ne peut pas désactiver le patient, et le patient est informé de tout ce qu'il fait." }
    PatientEmergencyAllowedNoteWard { en: ": a verified doctor may get short read-only access, always audited and notified to the patient and its guardians.", fr: " : un médecin vérifié peut obtenir un accès court en lecture seule, toujours audité et notifié au patient et à ses tuteurs." }
    PatientKeyIntro { en: "Records are encrypted to this key. Replace it when a device is lost or the key leaked; you are shown what changes before anything is signed.", fr: "Les dossiers sont chiffrés pour cette clé. Remplacez-la quand un appareil est perdu ou que la clé a été divulguée ; ce qui change vous est montré avant toute signature." }
    PatientNewKeyHintWard { en: "33 bytes compressed, from the patient's new device", fr: "33 octets, forme compressée, depuis le nouvel appareil du patient" }
    PatientKeyReview { en: "Review the change", fr: "Examiner le changement" }
    PatientWardsHeading { en: "Patients you act for", fr: "Patients pour lesquels vous agissez" }
    PatientNoWards { en: "You are not a guardian of any of this server's accounts.", fr: "Vous n'êtes tuteur d'aucun des comptes de ce serveur." }
    PatientWardLinksColon { en: ":", fr: " :" }
    PatientWardPageLink { en: "its patient page", fr: "sa page patient" }
    PatientWardAccessLink { en: "its access", fr: "ses accès" }
    PatientWardRecordsLink { en: "its records", fr: "ses dossiers" }
    PatientActForOther { en: "Act for another patient (address)", fr: "Agir pour un autre patient (adresse)" }
    PatientOpenWard { en: "Open", fr: "Ouvrir" }
    PatientGuardianshipHeading { en: "Become or stop being a guardian", fr: "Devenir tuteur ou cesser de l'être" }

    // ---- Form fields and their problems (mod.rs, every form handler) ----
    /// A problem with a form field: `{field}` is one of the `Field...` names below.
    FieldProblem { en: "{field}: {problem}", fr: "{field} : {problem}" }
    FieldDoctor { en: "doctor", fr: "Médecin" }
    FieldPatient { en: "patient", fr: "Patient" }
    FieldForPatient { en: "for patient", fr: "Pour le patient" }
    FieldGrantee { en: "grantee", fr: "Bénéficiaire" }
    FieldGuardian { en: "guardian", fr: "Tuteur" }
    FieldSuccessor { en: "successor", fr: "Successeur" }
    FieldIssuer { en: "issuer", fr: "Émetteur" }
    FieldVerifier { en: "verifier", fr: "Vérificateur" }
    FieldExpiresIn { en: "expires in", fr: "Expire dans" }
    FieldValidFor { en: "valid for", fr: "Valable pendant" }
    FieldDuration { en: "duration", fr: "Durée" }
    FieldToken { en: "token", fr: "Jeton" }
    FieldRequest { en: "request", fr: "Demande" }
    FieldNotification { en: "notification", fr: "Notification" }
    FieldExpiresAt { en: "expires at block", fr: "Expire au bloc" }
    FieldConnection { en: "the connection", fr: "La connexion" }
    FieldEncryptionKey { en: "encryption key", fr: "Clé de chiffrement" }
    FieldPublicKey { en: "public key", fr: "Clé publique" }
    FieldScope { en: "scope", fr: "Portée" }
    FieldReason { en: "reason", fr: "Motif" }
    FieldLicence { en: "licence", fr: "Numéro d'exercice" }
    FieldIdentifier { en: "identifier", fr: "Identifiant" }
    GiveAnAccount { en: "give an account name or a Stacks address", fr: "donnez un nom de compte ou une adresse Stacks" }
    NotAnAccount { en: "`{text}` is neither one of this server's accounts nor a Stacks address (ST...)", fr: "`{text}` n'est ni un compte de ce serveur ni une adresse Stacks (ST...)" }
    GiveWholeNumber { en: "give a whole number (got `{got}`)", fr: "donnez un nombre entier (reçu `{got}`)" }
    DaysTooLong { en: "{n} days is too long", fr: "{n} jours, c'est trop long" }
    BadUnit { en: "the unit is blocks or days, not `{unit}`", fr: "l'unité est blocs ou jours, pas `{unit}`" }
    GiveOneBlock { en: "give at least 1 block", fr: "donnez au moins 1 bloc" }
    GiveOneToBlocks { en: "give 1 to {max} blocks", fr: "donnez de 1 à {max} blocs" }
    TickAScope { en: "tick at least one of read, write and share", fr: "cochez au moins une case parmi lecture, écriture et partage" }
    GiveNewKey { en: "give the new key (33 bytes of a compressed public key in hex)", fr: "donnez la nouvelle clé (33 octets d'une clé publique compressée, en hexadécimal)" }
    BadKey { en: "{why}: give 33 bytes of a compressed public key in hex", fr: "{why} : donnez 33 octets d'une clé publique compressée, en hexadécimal" }
    NotGuardianOf { en: "{account} is not a guardian of {patient}: only the patient, or a guardian it proposed and that accepted, acts for it. Nothing was signed.", fr: "{account} n'est pas tuteur de {patient} : seul le patient, ou un tuteur qu'il a proposé et qui a accepté, agit pour lui. Rien n'a été signé." }
    NoSuchToken { en: "no token #{token}", fr: "aucun jeton n° {token}" }
    NoSuchRequest { en: "no access request #{request}", fr: "aucune demande d'accès n° {request}" }
    NoSuchRecord { en: "no record #{id}", fr: "aucun dossier n° {id}" }

    // ---- Operations: titles and outcomes (ops.rs and the forms that start them) ----
    OpNotSent { en: "{function} was not sent: {why}", fr: "{function} n'a pas été envoyée : {why}" }
    OpNotMinedYet { en: "transaction 0x{txid} is not mined yet; it may still be: look again later", fr: "la transaction 0x{txid} n'est pas encore minée ; elle peut encore l'être : revenez plus tard" }
    TxRefused { en: "refused: {why}", fr: "refusée : {why}" }
    TxRolledBack { en: "rolled back: {why}", fr: "annulée : {why}" }
    TxDropped { en: "dropped: {why}", fr: "abandonnée : {why}" }
    OpGrant { en: "Grant {grantee} {scope} for {n} block|Grant {grantee} {scope} for {n} blocks", fr: "Donner à {grantee} la portée {scope} pour {n} bloc|Donner à {grantee} la portée {scope} pour {n} blocs" }
    OpGrantType { en: "Grant {grantee} {scope} on {type} records for {n} block|Grant {grantee} {scope} on {type} records for {n} blocks", fr: "Donner à {grantee} la portée {scope} sur les dossiers {type} pour {n} bloc|Donner à {grantee} la portée {scope} sur les dossiers {type} pour {n} blocs" }
    OpGrantWard { en: "Grant {grantee} {scope} of {patient}, as guardian for {n} block|Grant {grantee} {scope} of {patient}, as guardian for {n} blocks", fr: "Donner à {grantee} la portée {scope} sur les dossiers de {patient}, en tant que tuteur, pour {n} bloc|Donner à {grantee} la portée {scope} sur les dossiers de {patient}, en tant que tuteur, pour {n} blocs" }
    OpGrantTypeWard { en: "Grant {grantee} {scope} on {type} records of {patient}, as guardian for {n} block|Grant {grantee} {scope} on {type} records of {patient}, as guardian for {n} blocks", fr: "Donner à {grantee} la portée {scope} sur les dossiers {type} de {patient}, en tant que tuteur, pour {n} bloc|Donner à {grantee} la portée {scope} sur les dossiers {type} de {patient}, en tant que tuteur, pour {n} blocs" }
    GrantDone { en: "Token #{token}: {grantee} may {scope} until block {expires_at}.", fr: "Jeton n° {token} : {grantee} a la portée {scope} jusqu'au bloc {expires_at}." }
    KeysShared { en: "{n} record key shared.|{n} record keys shared.", fr: "{n} clé de dossier partagée.|{n} clés de dossiers partagées." }
    KeysSharedMore { en: "{n} record key shared ({left} more to share from each record's page).|{n} record keys shared ({left} more to share from each record's page).", fr: "{n} clé de dossier partagée ({left} autres à partager depuis la page de chaque dossier).|{n} clés de dossiers partagées ({left} autres à partager depuis la page de chaque dossier)." }
    OpCreateToken { en: "Create a {scope} token for {n} block|Create a {scope} token for {n} blocks", fr: "Créer un jeton de portée {scope} pour {n} bloc|Créer un jeton de portée {scope} pour {n} blocs" }
    OpCreateTokenWard { en: "Create a {scope} token for {n} block for {patient}, as guardian|Create a {scope} token for {n} blocks for {patient}, as guardian", fr: "Créer un jeton de portée {scope} pour {n} bloc pour {patient}, en tant que tuteur|Créer un jeton de portée {scope} pour {n} blocs pour {patient}, en tant que tuteur" }
    CreateTokenDone { en: "Token #{token} ({scope} until block {expires_at}) is yours to hand over: pick a doctor in its row.", fr: "Le jeton n° {token} ({scope} jusqu'au bloc {expires_at}) est à vous, à remettre : choisissez un médecin sur sa ligne." }
    CreateTokenDoneWard { en: "Token #{token} ({scope} until block {expires_at}) belongs to {patient}, who can hand it to a doctor.", fr: "Le jeton n° {token} ({scope} jusqu'au bloc {expires_at}) appartient à {patient}, qui peut le remettre à un médecin." }
    /// A token refused because it is revoked already.
    TokenRevokedAlready { en: "token #{token} is revoked already. Nothing was signed.", fr: "le jeton n° {token} est déjà révoqué. Rien n'a été signé." }
    /// A request refused because it is approved or denied already.
    RequestDecidedAlready { en: "access request #{request} is decided already. Nothing was signed.", fr: "la demande d'accès n° {request} a déjà été tranchée. Rien n'a été signé." }
    /// A grant to the patient itself.
    GrantToThePatient { en: "grantee: {patient} is the patient itself: it reads its own records without a grant", fr: "bénéficiaire : {patient} est le patient lui-même : il lit ses propres dossiers sans autorisation" }
    /// A guardian granting itself access to its ward's records.
    GrantToItself { en: "{me} may not give itself access to its ward's records: a guardian acts for the patient, not for itself. Nothing was signed.", fr: "{me} ne peut pas se donner accès aux dossiers de son pupille : un tuteur agit pour le patient, pas pour lui-même. Rien n'a été signé." }
    /// A grant or hand-over to an account that is not a verified doctor.
    GrantToUnverified { en: "{grantee} is not a verified doctor: access goes to verified doctors only. Nothing was signed.", fr: "{grantee} n'est pas un médecin vérifié : l'accès n'est donné qu'aux médecins vérifiés. Rien n'a été signé." }
    /// An administrator's form sent by an account that is not the registry's administrator.
    PreNotAdmin { en: "{actor} is not the administrator of {registry}. Nothing was signed.", fr: "{actor} n'est pas l'administrateur de {registry}. Rien n'a été signé." }
    /// Taking the administrator role over without being the proposed successor.
    PreNotProposedAdmin { en: "{actor} is not the proposed administrator of {registry}: the administrator proposes its successor first. Nothing was signed.", fr: "{actor} n'est pas l'administrateur proposé de {registry} : l'administrateur propose d'abord son successeur. Rien n'a été signé." }
    /// Verifying a doctor without being an enabled credential issuer.
    PreNotIssuer { en: "{actor} is not an enabled credential issuer: the administrator enables issuers. Nothing was signed.", fr: "{actor} n'est pas un émetteur d'attestations activé : l'administrateur active les émetteurs. Rien n'a été signé." }
    /// Suspending a doctor without being an issuer or the administrator.
    PreMayNotSuspend { en: "{actor} may not suspend doctors: only an enabled credential issuer or the administrator does. Nothing was signed.", fr: "{actor} ne peut pas suspendre de médecin : seuls un émetteur d'attestations activé ou l'administrateur le peuvent. Rien n'a été signé." }
    /// Lifting another issuer's suspension.
    PreSuspendedByOther { en: "{doctor} was suspended after {issuer} verified it: only that issuer lifts the suspension. Nothing was signed.", fr: "{doctor} a été suspendu après sa vérification par {issuer} : seul cet émetteur lève la suspension. Rien n'a été signé." }
    /// Suspending an account that is not a registered doctor.
    PreNotADoctor { en: "{doctor} is not a registered doctor. Nothing was signed.", fr: "{doctor} n'est pas un médecin inscrit. Rien n'a été signé." }
    /// Verifying a patient without being an enabled verifier.
    PreNotVerifier { en: "{actor} is not an enabled patient verifier: the administrator enables verifiers. Nothing was signed.", fr: "{actor} n'est pas un vérificateur de patients activé : l'administrateur active les vérificateurs. Rien n'a été signé." }
    /// Verifying a patient verified already.
    PrePatientVerified { en: "{patient} is verified already. Nothing was signed.", fr: "{patient} est déjà vérifié. Rien n'a été signé." }
    /// A request or emergency access to an account that is not a registered patient.
    PreNotAPatient { en: "{patient} is not a registered patient (or was deactivated). Nothing was signed.", fr: "{patient} n'est pas un patient inscrit (ou a été désactivé). Rien n'a été signé." }
    /// Emergency access to a patient who opted out of it.
    PreEmergencyOptedOut { en: "{patient} opted out of emergency access. Nothing was signed.", fr: "{patient} a refusé l'accès d'urgence. Rien n'a été signé." }
    /// Emergency access opened again before the patient's cooldown ends.
    PreEmergencyCooldown { en: "{patient} closed this doctor's emergency access: it can be opened again from block {until}. Nothing was signed.", fr: "{patient} a fermé l'accès d'urgence de ce médecin : il pourra être rouvert à partir du bloc {until}. Rien n'a été signé." }
    /// A hand-over of a token the account does not hold.
    HandOverNotHeld { en: "{me} does not hold token #{token}: only its holder hands it over. Nothing was signed.", fr: "{me} ne détient pas le jeton n° {token} : seul son détenteur peut le remettre. Rien n'a été signé." }
    /// A doctor handing a token to anyone but its patient.
    HandOverBackOnly { en: "token #{token} goes back to its patient {patient} only. Nothing was signed.", fr: "le jeton n° {token} ne peut revenir qu'à son patient {patient}. Rien n'a été signé." }
    OpHandOver { en: "Hand token #{token} to {recipient}", fr: "Remettre le jeton n° {token} à {recipient}" }
    HandOverDone { en: "Token #{token} now belongs to {recipient}.", fr: "Le jeton n° {token} appartient maintenant à {recipient}." }
    OpRevoke { en: "Revoke token #{token}", fr: "Révoquer le jeton n° {token}" }
    RevokeDone { en: "Token #{token} revoked: {grantee} loses access.", fr: "Jeton n° {token} révoqué : {grantee} perd l'accès." }
    RevokeResealed { en: "Record #{from} re-sealed under a new key as #{to}.", fr: "Dossier n° {from} rescellé sous une nouvelle clé en n° {to}." }
    RevokeNotResealed { en: "Record #{record} was NOT re-sealed ({reason}): the revoked holder can still open it; rotate it from its page.", fr: "Le dossier n° {record} n'a PAS été rescellé ({reason}) : le détenteur révoqué peut encore l'ouvrir ; changez sa clé depuis sa page." }
    RevokeKeptKeys { en: "Keys were not rotated, as asked: the revoked holder can still open the current versions it has keys for.", fr: "Les clés n'ont pas été changées, comme demandé : le détenteur révoqué peut encore ouvrir les versions actuelles dont il a les clés." }
    /// The SDK's `revoke::REVOCATION_LIMITS` (a test keeps the English equal).
    RevocationLimits { en: "A revoked holder keeps whatever it already decrypted or copied, and its old key envelopes still open the old versions on this public chain; rotation only keeps it out of the new versions.", fr: "Un détenteur révoqué garde ce qu'il a déjà déchiffré ou copié, et ses anciennes enveloppes de clé ouvrent toujours les anciennes versions sur cette chaîne publique ; le changement de clé l'écarte seulement des nouvelles versions." }
    OpApprove { en: "Approve request #{request}", fr: "Accepter la demande n° {request}" }
    ApproveDone { en: "Request #{request} approved: token #{token}.", fr: "Demande n° {request} acceptée : jeton n° {token}." }
    OpDeny { en: "Deny request #{request}", fr: "Refuser la demande n° {request}" }
    DenyDone { en: "Request #{request} denied.", fr: "Demande n° {request} refusée." }

    // ---- The SDK's errors (i18n/sdk.rs) ----
    SdkBadArgument { en: "argument `{arg}` of {function} must be {expected}: {problem}", fr: "l'argument `{arg}` de {function} doit être {expected} : {problem}" }
    SdkCallNotBuilt { en: "the server could not build the call: {detail}", fr: "le serveur n'a pas pu construire l'appel : {detail}" }
    SdkRefused { en: "the contract refused {function}: {reason} ({code}), in transaction 0x{txid}", fr: "le contrat a refusé {function} : {reason} ({code}), dans la transaction 0x{txid}" }
    SdkNode { en: "the node failed or could not be reached: {detail}", fr: "le nœud a échoué ou n'a pas pu être joint : {detail}" }
    SdkChain { en: "the node answered with an error: {detail}", fr: "le nœud a répondu par une erreur : {detail}" }
    SdkCannotOpen { en: "{detail}: the record cannot be opened with this account's key, or its bytes do not match the on-chain hash", fr: "{detail} : le dossier ne peut pas être ouvert avec la clé de ce compte, ou ses octets ne correspondent pas à l'empreinte sur la chaîne" }
    SdkNotAPatient { en: "{patient} is not a registered patient", fr: "{patient} n'est pas un patient inscrit" }
    SdkNoEnvelope { en: "{holder} holds no key envelope for record #{id}; the patient (or a holder with share scope) can give one with `ehr record share`", fr: "{holder} ne détient aucune enveloppe de clé pour le dossier n° {id} ; le patient (ou un détenteur avec la portée partage) peut en donner une avec `ehr record share`" }
    SdkAlreadyShared { en: "{holder} already holds a key envelope for record #{id}; only it may replace it (after a key change, rotate the record: a new version gets new envelopes)", fr: "{holder} détient déjà une enveloppe de clé pour le dossier n° {id} ; lui seul peut la remplacer (après un changement de clé, changez la clé du dossier : une nouvelle version reçoit de nouvelles enveloppes)" }
    SdkTooLargeForChain { en: "{size} sealed bytes do not fit on chain ({max} at most): store it off chain with --store DIR", fr: "{size} octets scellés ne tiennent pas sur la chaîne ({max} au plus) : stockez-le hors chaîne avec --store DIR" }
    SdkTooLarge { en: "{size} bytes is over the record size limit of {max} bytes (4 GiB): split it into several records", fr: "{size} octets dépassent la taille maximale d'un dossier, {max} octets (4 Gio) : répartissez-le en plusieurs dossiers" }
    SdkRecordFailed { en: "the record could not be read or written: {detail}", fr: "le dossier n'a pas pu être lu ou écrit : {detail}" }
    SdkBadRecordType { en: "record type `{type}` does not fit the contract's record-type (string-ascii 32): give 1 to 32 printable ASCII characters", fr: "le type de dossier `{type}` ne convient pas au record-type du contrat (string-ascii 32) : donnez de 1 à 32 caractères ASCII imprimables" }
    SdkBadResourceType { en: "{path}: resourceType {problem}", fr: "{path} : resourceType {problem}" }
    SdkMalformedFhir { en: "malformed FHIR JSON at {path}: {problem}", fr: "JSON FHIR mal formé en {path} : {problem}" }
    SdkNotARecord { en: "the content cannot be added as a record: {detail}", fr: "le contenu ne peut pas être ajouté comme dossier : {detail}" }
    ProofNotMade { en: "the proof could not be made: {detail}", fr: "la preuve n'a pas pu être créée : {detail}" }
    AccessRefusedRecord { en: "access refused: {reader} has no live read grant from {patient} for {type} records (never granted, revoked, or expired); a doctor can ask with `ehr access request`", fr: "accès refusé : {reader} n'a aucun accès valide en lecture de {patient} pour les dossiers {type} (jamais donné, révoqué ou expiré) ; un médecin peut le demander avec `ehr access request`" }
    AttestNotADoctor { en: "{doctor} is not a registered doctor", fr: "{doctor} n'est pas un médecin inscrit" }
    AttestSuspended { en: "{doctor} is suspended: an attestation does not lift a suspension; its issuer must verify it directly", fr: "{doctor} est suspendu : une attestation ne lève pas une suspension ; son émetteur doit le vérifier directement" }
    AttestNotAnIssuer { en: "{issuer} is not an enabled credential issuer: the admin enables issuers", fr: "{issuer} n'est pas un émetteur d'attestations activé : l'administrateur active les émetteurs" }
    AttestExpired { en: "the attestation expires at block {expires_at}, and the chain is at block {tip}: ask the issuer for one that expires later", fr: "l'attestation expire au bloc {expires_at}, et la chaîne est au bloc {tip} : demandez à l'émetteur une attestation qui expire plus tard" }
    AttestWrongSigner { en: "the signature is not {issuer}'s over this attestation: it was signed by another key, or for another doctor, licence, expiry or deployment", fr: "la signature n'est pas celle de {issuer} sur cette attestation : elle a été faite par une autre clé, ou pour un autre médecin, numéro d'exercice, expiration ou déploiement" }
    AttestMalformed { en: "the signature: give the 65-byte signature as 130 hex digits ({why})", fr: "la signature : donnez la signature de 65 octets en 130 chiffres hexadécimaux ({why})" }
    /// An attestation the contract took already.
    AttestUsed { en: "this attestation was submitted already (the contract takes each one once): ask the issuer for a new one", fr: "cette attestation a déjà été soumise (le contrat n'accepte chacune qu'une fois) : demandez-en une nouvelle à l'émetteur" }

    GiveIdentifier { en: "give the identifier to hash (it never leaves this server)", fr: "donnez l'identifiant à hacher (il ne quitte jamais ce serveur)" }
    PatientRegistered { en: "Registered. Identifier hash {hash}; salt {salt} (keep the salt: it proves the identifier behind the hash).", fr: "Inscription faite. Empreinte de l'identifiant {hash} ; sel {salt} (gardez le sel : il prouve l'identifiant derrière l'empreinte)." }
    BadGuardianshipAction { en: "action `{action}`: choose accept or resign", fr: "action `{action}` : choisissez accept ou resign" }
    OpAcceptGuardianship { en: "Accept guardianship of {patient}", fr: "Accepter la tutelle de {patient}" }
    OpResignGuardianship { en: "Resign guardianship of {patient}", fr: "Renoncer à la tutelle de {patient}" }
    AcceptGuardianshipDone { en: "You are now a guardian of {patient}: you act for it, and it is told of everything you do.", fr: "Vous êtes maintenant tuteur de {patient} : vous agissez pour lui, et il est informé de tout ce que vous faites." }
    ResignGuardianshipDone { en: "You are no longer a guardian of {patient}.", fr: "Vous n'êtes plus tuteur de {patient}." }
    OpProposeGuardian { en: "Propose guardian {guardian}", fr: "Proposer {guardian} comme tuteur" }
    OpRemoveGuardian { en: "Remove guardian {guardian}", fr: "Retirer le tuteur {guardian}" }
    OpProposeGuardianWard { en: "Propose guardian {guardian} for {patient}, as guardian", fr: "Proposer {guardian} comme tuteur de {patient}, en tant que tuteur" }
    OpRemoveGuardianWard { en: "Remove guardian {guardian} for {patient}, as guardian", fr: "Retirer le tuteur {guardian} de {patient}, en tant que tuteur" }
    GuardianProposed { en: "Guardian {guardian} proposed: it acts for the patient once it accepts.", fr: "Tuteur {guardian} proposé : il agit pour le patient dès qu'il accepte." }
    GuardianRemoved { en: "Guardian {guardian} removed (or its proposal withdrawn).", fr: "Tuteur {guardian} retiré (ou sa proposition annulée)." }
    TypeDeactivate { en: "type `deactivate` to confirm: deactivating a registration cannot be undone", fr: "tapez `deactivate` pour confirmer : la désactivation d'une inscription est définitive" }
    /// `/patient/guardianship`: accepting a guardianship nobody proposed.
    NothingToAccept { en: "{patient} has not proposed {me} as its guardian: there is nothing to accept. Nothing was signed.", fr: "{patient} n'a pas proposé {me} comme tuteur : il n'y a rien à accepter. Rien n'a été signé." }
    /// `/patient/guardianship`: resigning a guardianship not held.
    NothingToResign { en: "{me} is not a guardian of {patient}: there is nothing to resign. Nothing was signed.", fr: "{me} n'est pas tuteur de {patient} : il n'y a rien à quitter. Rien n'a été signé." }
    /// `/patient/deactivate` naming a ward.
    DeactivateNotForWard { en: "for: only the patient itself deactivates its registration, never a guardian. Nothing was signed.", fr: "pour : seul le patient lui-même désactive son inscription, jamais un tuteur. Rien n'a été signé." }
    DeactivateDone { en: "The registration is deactivated.", fr: "L'inscription est désactivée." }
    OpAllowEmergency { en: "Allow emergency access", fr: "Autoriser l'accès d'urgence" }
    OpOptOutEmergency { en: "Opt out of emergency access", fr: "Refuser l'accès d'urgence" }
    OpAllowEmergencyWard { en: "Allow emergency access for {patient}, as guardian", fr: "Autoriser l'accès d'urgence pour {patient}, en tant que tuteur" }
    OpOptOutEmergencyWard { en: "Opt out of emergency access for {patient}, as guardian", fr: "Refuser l'accès d'urgence pour {patient}, en tant que tuteur" }
    EmergencyAllowedDone { en: "Emergency access allowed.", fr: "Accès d'urgence autorisé." }
    EmergencyOptedOutDone { en: "Opted out of emergency access.", fr: "Accès d'urgence refusé." }
    GuardianOwnKey { en: "a guardian cannot make its own key its ward's (the ward's records would be encrypted to the guardian): give the key of the patient's new device", fr: "un tuteur ne peut pas faire de sa propre clé celle de son pupille (les dossiers du pupille seraient chiffrés pour le tuteur) : donnez la clé du nouvel appareil du patient" }
    NotActivePatient { en: "{patient} is not an active registered patient", fr: "{patient} n'est pas un patient inscrit et actif" }
    KeyAlreadyRegistered { en: "{key} is already the registered key: nothing to change", fr: "{key} est déjà la clé enregistrée : rien à changer" }
    OpReplaceKeyWard { en: "Replace the encryption key for {patient}, as guardian", fr: "Remplacer la clé de chiffrement pour {patient}, en tant que tuteur" }
    PatientKeyReplaced { en: "Encryption key replaced by {key}: records added from now on are encrypted to it; records already written keep their keys.", fr: "Clé de chiffrement remplacée par {key} : les dossiers ajoutés désormais sont chiffrés pour elle ; les dossiers déjà écrits gardent leurs clés." }

    // ---- Records: forms and operations (records.rs, extract.rs) ----
    NothingToAdd { en: "nothing to add: choose a file or paste the record's text", fr: "rien à ajouter : choisissez un fichier ou collez le texte du dossier" }
    /// A record write refused: no grant of that scope.
    NoLiveGrant { en: "{me} holds no live {scope} grant from {patient} for {type} records. Nothing was signed.", fr: "{me} n'a aucune autorisation en cours ({scope}) de {patient} pour les dossiers {type}. Rien n'a été signé." }
    NothingToAmend { en: "nothing to amend with: choose a file or paste the new content", fr: "rien pour modifier : choisissez un fichier ou collez le nouveau contenu" }
    /// Where an upload came from: a file's name, as it is.
    SourceFile { en: "{name}", fr: "{name}" }
    SourceUnnamedFile { en: "file", fr: "le fichier" }
    SourcePasted { en: "pasted text", fr: "le texte collé" }
    SourceProblem { en: "{source}: {problem}", fr: "{source} : {problem}" }
    TooManyRecords { en: "{source} holds {n} record; add at most {max} at a time (split the Bundle)|{source} holds {n} records; add at most {max} at a time (split the Bundle)", fr: "{source} contient {n} dossier ; ajoutez-en {max} au plus à la fois (divisez le Bundle)|{source} contient {n} dossiers ; ajoutez-en {max} au plus à la fois (divisez le Bundle)" }
    OpAddRecords { en: "Add {n} record from {source}|Add {n} records from {source}", fr: "Ajouter {n} dossier depuis {source}|Ajouter {n} dossiers depuis {source}" }
    RecordAddedOnChain { en: "record #{id} ({type}) added: {bytes} sealed bytes, hash {hash}, {chunks} chunk(s) on chain", fr: "dossier n° {id} ({type}) ajouté : {bytes} octets scellés, empreinte {hash}, {chunks} fragment(s) sur la chaîne" }
    RecordAddedStored { en: "record #{id} ({type}) added: {bytes} sealed bytes, hash {hash}, {locator}", fr: "dossier n° {id} ({type}) ajouté : {bytes} octets scellés, empreinte {hash}, {locator}" }
    RecordTypeFailed { en: "{type}: {why}", fr: "{type} : {why}" }
    RecordRefused { en: "Access refused: {reader} has no live read grant from {patient} for {type} records (never granted, revoked, or expired). A doctor can ask with a request on the Doctor page.", fr: "Accès refusé : {reader} n'a aucun accès valide en lecture de {patient} pour les dossiers {type} (jamais donné, révoqué ou expiré). Un médecin peut le demander sur la page Médecin." }
    OpenFromPage { en: "Open the record from its page: a grantee's read is logged on chain first.", fr: "Ouvrez le dossier depuis sa page : la lecture d'un bénéficiaire est d'abord inscrite sur la chaîne." }
    OpenOwnRecord { en: "record #{id} is your own (or your ward's): open it from its page, no view is logged for the patient's side", fr: "le dossier n° {id} est le vôtre (ou celui de votre pupille) : ouvrez-le depuis sa page, aucune consultation n'est inscrite côté patient" }
    OpenNoEnvelope { en: "{reader} holds no key envelope for record #{id}: the patient must share it first", fr: "{reader} ne détient aucune enveloppe de clé pour le dossier n° {id} : le patient doit d'abord la partager" }
    OpenDone { en: "Record #{id} opened under token #{token}; the view is in the patient's audit trail (block {block}).", fr: "Dossier n° {id} ouvert avec le jeton n° {token} ; la consultation figure dans le journal d'audit du patient (bloc {block})." }
    OpAmend { en: "Amend record #{id} from {source}", fr: "Modifier le dossier n° {id} depuis {source}" }
    AmendDone { en: "Record #{id} amended: new version #{new} ({bytes} sealed bytes, hash {hash}).", fr: "Dossier n° {id} modifié : nouvelle version n° {new} ({bytes} octets scellés, empreinte {hash})." }
    OpRotate { en: "Rotate the key of record #{id}", fr: "Changer la clé du dossier n° {id}" }
    RotateDone { en: "Record #{id} re-sealed under a new key as #{new}; key envelopes for the patient and {n} current reader.|Record #{id} re-sealed under a new key as #{new}; key envelopes for the patient and {n} current readers.", fr: "Dossier n° {id} rescellé sous une nouvelle clé en n° {new} ; enveloppes de clé pour le patient et {n} lecteur actuel.|Dossier n° {id} rescellé sous une nouvelle clé en n° {new} ; enveloppes de clé pour le patient et {n} lecteurs actuels." }
    OpShare { en: "Share record #{id} with {grantee}", fr: "Partager le dossier n° {id} avec {grantee}" }
    ShareDone { en: "Record #{id}'s key shared with {grantee}.", fr: "Clé du dossier n° {id} partagée avec {grantee}." }
    UnreadableForm { en: "the form could not be read: {why}", fr: "le formulaire n'a pas pu être lu : {why}" }
    UnreadableUpload { en: "the upload could not be read: {why}", fr: "l'envoi n'a pas pu être lu : {why}" }
    UnsupportedEncoding { en: "unsupported form encoding `{type}`: send multipart/form-data or application/x-www-form-urlencoded", fr: "encodage de formulaire `{type}` non pris en charge : envoyez multipart/form-data ou application/x-www-form-urlencoded" }
    NotARecordId { en: "`{text}` is not a record id (a whole number)", fr: "`{text}` n'est pas un identifiant de dossier (un nombre entier)" }

    // ---- Issuer and admin forms (admin.rs, attest.rs) ----
    BadRegistry { en: "registry `{registry}`: choose patient or doctor", fr: "registre `{registry}` : choisissez patient ou doctor" }
    OpProposeAdmin { en: "Propose {successor} as administrator of {contract}", fr: "Proposer {successor} comme administrateur de {contract}" }
    ProposeAdminDone { en: "{successor} proposed as administrator of {contract}: the role moves when it accepts.", fr: "{successor} proposé comme administrateur de {contract} : le rôle change de main quand il accepte." }
    OpAcceptAdmin { en: "Accept the administrator role of {contract}", fr: "Accepter le rôle d'administrateur de {contract}" }
    AcceptAdminDone { en: "You are now the administrator of {contract}.", fr: "Vous êtes maintenant l'administrateur de {contract}." }
    OpVerifyDoctor { en: "Verify doctor {doctor}", fr: "Vérifier le médecin {doctor}" }
    VerifyDoctorDone { en: "Doctor {doctor} verified until block {block}.", fr: "Médecin {doctor} vérifié jusqu'au bloc {block}." }
    OpSuspendDoctor { en: "Suspend doctor {doctor}", fr: "Suspendre le médecin {doctor}" }
    SuspendDoctorDone { en: "Doctor {doctor} suspended.", fr: "Médecin {doctor} suspendu." }
    OpVerifyPatient { en: "Verify patient {patient}", fr: "Vérifier le patient {patient}" }
    VerifyPatientDone { en: "Patient {patient} verified.", fr: "Patient {patient} vérifié." }
    IssuerNotOurs { en: "{issuer} is not one of this server's accounts: give its attestation public key", fr: "{issuer} n'est pas un compte de ce serveur : donnez sa clé publique d'attestation" }
    GiveIssuerKey { en: "give 33 bytes (compressed secp256k1) as 66 hex digits", fr: "donnez 33 octets (secp256k1 compressé) en 66 chiffres hexadécimaux" }
    OpEnableIssuer { en: "Enable issuer {issuer}", fr: "Activer l'émetteur {issuer}" }
    OpDisableIssuer { en: "Disable issuer {issuer}", fr: "Désactiver l'émetteur {issuer}" }
    IssuerEnabledDone { en: "Issuer {issuer} enabled.", fr: "Émetteur {issuer} activé." }
    IssuerDisabledDone { en: "Issuer {issuer} disabled.", fr: "Émetteur {issuer} désactivé." }
    OpEnableVerifier { en: "Enable verifier {verifier}", fr: "Activer le vérificateur {verifier}" }
    OpDisableVerifier { en: "Disable verifier {verifier}", fr: "Désactiver le vérificateur {verifier}" }
    VerifierEnabledDone { en: "Verifier {verifier} enabled.", fr: "Vérificateur {verifier} activé." }
    VerifierDisabledDone { en: "Verifier {verifier} disabled.", fr: "Vérificateur {verifier} désactivé." }
    NoChainTip { en: "the node did not tell its chain tip", fr: "le nœud n'a pas indiqué la hauteur de sa chaîne" }
    OpSubmitAttestation { en: "Submit {issuer}'s attestation", fr: "Soumettre l'attestation de {issuer}" }
    SubmitAttestationDone { en: "Verified by {issuer}'s attestation until block {block}.", fr: "Vérifié par l'attestation de {issuer} jusqu'au bloc {block}." }

    // ---- Doctor forms (doctor.rs) ----
    GiveLicence { en: "give the licence number to hash", fr: "donnez le numéro d'exercice à hacher" }
    DoctorRegisteredDone { en: "Registered. Licence hash {hash}; salt {salt} (keep it: your issuer needs it to check the licence).", fr: "Inscription faite. Empreinte du numéro d'exercice {hash} ; sel {salt} (gardez-le : votre émetteur en a besoin pour contrôler le numéro d'exercice)." }
    SayWhyPatientSees { en: "say why (the patient sees it)", fr: "dites pourquoi (le patient le voit)" }
    SayWhyAudited { en: "say why (it is audited)", fr: "dites pourquoi (c'est audité)" }
    OpRequestAccess { en: "Request {scope} access to {patient}", fr: "Demander un accès de portée {scope} à {patient}" }
    RequestSentNumbered { en: "Request #{id} sent to {patient}.", fr: "Demande n° {id} envoyée à {patient}." }
    RequestSent { en: "Request sent to {patient}.", fr: "Demande envoyée à {patient}." }
    OpEmergency { en: "Emergency access to {patient}", fr: "Accès d'urgence à {patient}" }
    EmergencyDone { en: "Emergency access to {patient}: token #{token} (read only, 144 blocks; the patient and guardians are notified).", fr: "Accès d'urgence à {patient} : jeton n° {token} (lecture seule, 144 blocs ; le patient et ses tuteurs sont informés)." }
    DoctorKeyReplaced { en: "Encryption key replaced: records shared from now on are wrapped to the new key.", fr: "Clé de chiffrement remplacée : les dossiers partagés désormais sont scellés pour la nouvelle clé." }

    // ---- Audit and notifications (audit.rs, notifications.rs) ----
    /// What an audit entry or a notification refers to.
    RefRecord { en: "record #{id}", fr: "dossier n° {id}" }
    RefToken { en: "token #{id}", fr: "jeton n° {id}" }
    RefRequest { en: "request #{id}", fr: "demande n° {id}" }
    RefUntilBlock { en: "until block {id}", fr: "jusqu'au bloc {id}" }
    AuditEntryAltered { en: "entry {id}: entry-hash does not match its contents (altered entry)", fr: "entrée {id} : entry-hash ne correspond pas à son contenu (entrée modifiée)" }
    AuditEntryUnlinked { en: "entry {id}: prev-hash does not match the previous entry (missing, reordered or inserted entries)", fr: "entrée {id} : prev-hash ne correspond pas à l'entrée précédente (entrées manquantes, réordonnées ou insérées)" }
    BadExportFormat { en: "format `{format}`: give json, csv or fhir", fr: "format `{format}` : donnez json, csv ou fhir" }
    NotificationsUnreadable { en: "the notifications could not be read from the node", fr: "les notifications n'ont pas pu être lues sur le nœud" }
    OpMarkAllRead { en: "Mark notifications read", fr: "Marquer les notifications comme lues" }
    MarkedRead { en: "{n} notification marked read.|{n} notifications marked read.", fr: "{n} notification marquée comme lue.|{n} notifications marquées comme lues." }
    OpMarkRead { en: "Mark notification {index} read", fr: "Marquer la notification {index} comme lue" }
    MarkReadDone { en: "Notification {index} marked read.", fr: "Notification {index} marquée comme lue." }

    // ---- Proofs and the account switcher (proofs.rs, home.rs) ----
    ProofChooseSet { en: "choose the signed claims set file the record's author gave you", fr: "choisissez le fichier d'affirmations signé que l'auteur du dossier vous a donné" }
    ProofNotASet { en: "that file is not a signed claims set: {why}", fr: "ce fichier n'est pas un ensemble d'affirmations signé : {why}" }
    ProofOtherRecord { en: "that set is record #{set}'s, not #{id}'s", fr: "cet ensemble est celui du dossier n° {set}, pas du n° {id}" }
    ProofNotDays { en: "`{text}` is not a number of days", fr: "`{text}` n'est pas un nombre de jours" }
    ProofUnknownClaim { en: "`{claim}` is not a claim this page makes", fr: "`{claim}` n'est pas une affirmation que cette page sait faire" }
    ProofNoQr { en: "the proof does not fit a QR code ({why}): share the file instead", fr: "la preuve ne tient pas dans un code QR ({why}) : partagez plutôt le fichier" }
    NoSuchAccount { en: "this server does not act for an account named `{name}`", fr: "ce serveur n'agit pour aucun compte nommé `{name}`" }
    AccountNameNotCookie { en: "the account name `{name}` cannot be kept in a cookie", fr: "le nom de compte `{name}` ne peut pas être gardé dans un cookie" }

    // ---- SMART approval and connected apps (smart/authorize.rs, smart/apps.rs) ----
    SmartNoConnection { en: "{account} has no live app connection #{id}", fr: "{account} n'a aucune connexion d'application active n° {id}" }
    SmartNoClientId { en: "the app sent no client_id", fr: "l'application n'a envoyé aucun client_id" }
    SmartRegistryUnreadable { en: "the registry of apps could not be read: {why}", fr: "le registre des applications n'a pas pu être lu : {why}" }
    SmartUnknownApp { en: "no app `{app}` is registered with this server (ehr smart add-app registers one)", fr: "aucune application `{app}` n'est enregistrée sur ce serveur (ehr smart add-app en enregistre une)" }
    SmartNoRedirectUri { en: "the app sent no redirect_uri", fr: "l'application n'a envoyé aucun redirect_uri" }
    SmartBadRedirectUri { en: "`{uri}` is not a redirect URI registered for app `{app}`: nothing is sent there", fr: "`{uri}` n'est pas une URI de redirection enregistrée pour l'application `{app}` : rien n'y est envoyé" }
    SmartPatientsUnreadable { en: "the node did not answer which patients this account may choose: {why}", fr: "le nœud n'a pas indiqué quels patients ce compte peut choisir : {why}" }
    SmartChooseDecision { en: "choose Allow or Deny", fr: "choisissez Autoriser ou Refuser" }
    SmartChoosePatient { en: "choose the patient the app may see", fr: "choisissez le patient que l'application peut voir" }
    SmartMayNotChoose { en: "{account} may not choose {patient}: it is not that patient, does not act for it and holds no live grant from it", fr: "{account} ne peut pas choisir {patient} : ce n'est pas ce patient, il n'agit pas pour lui et ne détient aucun accès valide de sa part" }

    // ---- Refusals of the security layer, as plain text (auth.rs) and the language switch ----
    RefusedHost { en: "this server answers only to the host it listens on (Host header refused)", fr: "ce serveur ne répond qu'à l'hôte sur lequel il écoute (en-tête Host refusé)" }
    RefusedLoginLink { en: "this login link is wrong or was used already (each works once): restart `ehr serve`, or ask it for a new one with `curl -X POST -H 'Authorization: Bearer <token>' http://<host>/login-links`", fr: "ce lien de connexion est erroné ou a déjà servi (chacun ne sert qu'une fois) : redémarrez `ehr serve`, ou demandez-lui un nouveau lien avec `curl -X POST -H 'Authorization: Bearer <token>' http://<host>/login-links`" }
    RefusedNotSignedIn { en: "not signed in: open the URL with the access token that `ehr serve` printed", fr: "non connecté : ouvrez l'URL avec le jeton d'accès qu'a affiché `ehr serve`" }
    UnknownLanguage { en: "language `{lang}`: this server speaks en and fr", fr: "langue `{lang}` : ce serveur parle en et fr" }

    // ---- The contracts' refusals (i18n/sdk.rs; the English is the SDK's `ContractError::message`) ----
    CeOnlyAdmin { en: "only the administrator may do this", fr: "seul l'administrateur peut faire cela" }
    CePatientAlreadyRegistered { en: "this account is already a registered patient", fr: "ce compte est déjà un patient inscrit" }
    CePatientNotRegistered { en: "the patient is not registered, or was deactivated", fr: "le patient n'est pas inscrit, ou a été désactivé" }
    CeNotVerifier { en: "only an enabled verifier may verify patients", fr: "seul un vérificateur activé peut vérifier des patients" }
    CeSelfGuardian { en: "a patient cannot be its own guardian", fr: "un patient ne peut pas être son propre tuteur" }
    CeTooManyGuardians { en: "at most 5 guardians", fr: "5 tuteurs au plus" }
    CeNotGuardian { en: "that account is not a guardian of this patient", fr: "ce compte n'est pas un tuteur de ce patient" }
    CePatientAlreadyVerified { en: "the patient is already verified", fr: "le patient est déjà vérifié" }
    CeIndirectCall { en: "call this function directly, not through another contract", fr: "appelez cette fonction directement, pas par un autre contrat" }
    CeNotPatientOrGuardian { en: "only the patient or one of its guardians may do this for the patient", fr: "seul le patient ou l'un de ses tuteurs peut faire cela pour le patient" }
    CeNotProposed { en: "this account has no pending guardianship proposal from that patient", fr: "ce compte n'a aucune proposition de tutelle en attente de ce patient" }
    CeNotProposedAdmin { en: "only the account the administrator proposed may accept the role", fr: "seul le compte proposé par l'administrateur peut accepter le rôle" }
    CeDoctorNotAuthorized { en: "only the administrator (or, to suspend, an issuer) may do this", fr: "seul l'administrateur (ou, pour suspendre, un émetteur) peut faire cela" }
    CeDoctorAlreadyRegistered { en: "this account is already a registered doctor", fr: "ce compte est déjà un médecin inscrit" }
    CeDoctorNotRegistered { en: "the doctor is not registered", fr: "le médecin n'est pas inscrit" }
    CeNotIssuer { en: "only an enabled credential issuer may do this", fr: "seul un émetteur d'attestations activé peut faire cela" }
    CeBadSignature { en: "the attestation is not signed by that issuer's key", fr: "l'attestation n'est pas signée par la clé de cet émetteur" }
    CeBadCredentialExpiry { en: "the credential's expiry must be a future block", fr: "l'expiration de l'attestation doit être un bloc à venir" }
    CeAttestationUsed { en: "this attestation was already used (no replay)", fr: "cette attestation a déjà servi (pas de rejeu)" }
    CeDoctorSuspended { en: "the doctor is suspended: only the issuer that verified it lifts the suspension, with its own verify-doctor call", fr: "le médecin est suspendu : seul l'émetteur qui l'a vérifié lève la suspension, par son propre appel verify-doctor" }
    CeStorageNotAuthorized { en: "the caller may not write (or share) this patient's records; chunks and claim anchors only by the record's author; log-access only by the token's holder", fr: "l'appelant ne peut pas écrire (ni partager) les dossiers de ce patient ; les fragments et les ancrages d'affirmations seulement par l'auteur du dossier ; log-access seulement par le détenteur du jeton" }
    CeNoRecordWithId { en: "no record with that id", fr: "aucun dossier avec cet identifiant" }
    CeBadChunkIndex { en: "chunk index past the 64-chunk limit", fr: "indice de fragment au-delà de la limite de 64 fragments" }
    CeChunkExists { en: "chunks are written once, in order", fr: "les fragments s'écrivent une seule fois, dans l'ordre" }
    CeHolderNoAccess { en: "the envelope's holder has no read access to this record", fr: "le détenteur de l'enveloppe n'a pas d'accès en lecture à ce dossier" }
    CeSuperseded { en: "only the latest version of a record can be amended", fr: "seule la dernière version d'un dossier peut être modifiée" }
    CeEnvelopeExists { en: "only the holder itself (for the patient's envelope: the patient or a guardian) may replace an existing envelope", fr: "seul le détenteur lui-même (pour l'enveloppe du patient : le patient ou un tuteur) peut remplacer une enveloppe existante" }
    CeNoTokenWithId { en: "no token with that id", fr: "aucun jeton avec cet identifiant" }
    CeNoAccess { en: "the token is not the caller's live token with read access to this record (revoked, expired, replaced, or the doctor not verified)", fr: "le jeton n'est pas un jeton valide de l'appelant avec accès en lecture à ce dossier (révoqué, expiré, remplacé, ou médecin non vérifié)" }
    CeBadAction { en: "the logged action must be one of view, download, print, export, share-out", fr: "l'action journalisée doit être view, download, print, export ou share-out" }
    CeRecordMismatch { en: "the record belongs to another patient than the token's", fr: "le dossier appartient à un autre patient que celui du jeton" }
    CeAnchorExists { en: "this record's claims are already anchored (once per record)", fr: "les affirmations de ce dossier sont déjà ancrées (une fois par dossier)" }
    CeTokenNotAuthorized { en: "only permission-manager may mint or burn tokens", fr: "seul permission-manager peut créer ou détruire des jetons" }
    CeNotOwner { en: "the sender does not own this token", fr: "l'expéditeur ne possède pas ce jeton" }
    CeTransferRefused { en: "tokens go from the patient to a doctor, or back to the patient, nowhere else", fr: "les jetons vont du patient à un médecin, ou reviennent au patient, nulle part ailleurs" }
    CeRecipientNotVerified { en: "the recipient is not a verified doctor", fr: "le destinataire n'est pas un médecin vérifié" }
    CeTokenRevoked { en: "the token was revoked", fr: "le jeton a été révoqué" }
    CeTokenExpired { en: "the token has expired", fr: "le jeton a expiré" }
    CeAlreadyGranted { en: "this doctor already holds a live grant from this patient: revoke it first", fr: "ce médecin détient déjà un accès valide de ce patient : révoquez-le d'abord" }
    CeTokenPatientDeactivated { en: "the token's patient was deactivated: its tokens can no longer be handed to a doctor", fr: "le patient du jeton a été désactivé : ses jetons ne peuvent plus être remis à un médecin" }
    CePatientOrGuardianOnly { en: "only the patient or a guardian may do this", fr: "seul le patient ou un tuteur peut faire cela" }
    CeDoctorNotVerified { en: "the doctor is not verified (or is suspended, or expired)", fr: "le médecin n'est pas vérifié (ou est suspendu, ou son attestation a expiré)" }
    CeBadScope { en: "scope must be a non-zero mix of u1 read, u2 write, u4 share", fr: "la portée doit être une combinaison non nulle de u1 lecture, u2 écriture, u4 partage" }
    CeBadExpiry { en: "expiry must be in the future and within about a year (52,560 blocks)", fr: "l'expiration doit être dans le futur et dans un an environ au plus (52 560 blocs)" }
    CeNoRequestWithId { en: "no request with that id", fr: "aucune demande avec cet identifiant" }
    CeRequestClosed { en: "the request was already approved or denied", fr: "la demande a déjà été acceptée ou refusée" }
    CeEmergencyOptedOut { en: "the patient opted out of emergency access", fr: "le patient a refusé l'accès d'urgence" }
    CeAlreadyRevoked { en: "the token was already revoked", fr: "le jeton a déjà été révoqué" }
    CeSelfGrant { en: "a patient does not grant itself access", fr: "un patient ne se donne pas d'accès à lui-même" }
    CeGuardianSelfBenefit { en: "a guardian does not grant access to itself or approve its own request", fr: "un tuteur ne se donne pas d'accès à lui-même et n'accepte pas sa propre demande" }
    CeEmergencyCooldown { en: "the patient revoked this doctor's emergency access: it cannot reopen it for about a week (1,008 blocks)", fr: "le patient a révoqué l'accès d'urgence de ce médecin : celui-ci ne peut pas le rouvrir avant une semaine environ (1 008 blocs)" }
    CeRequestPending { en: "this doctor already has an open request to this patient", fr: "ce médecin a déjà une demande en cours auprès de ce patient" }
    CeAuditNotAuthorized { en: "only the EHR contracts may append to the audit log", fr: "seuls les contrats EHR peuvent ajouter au journal d'audit" }
    CeNotificationNotAuthorized { en: "only the EHR contracts may send notifications; mark-read must be a direct call", fr: "seuls les contrats EHR peuvent envoyer des notifications ; mark-read doit être un appel direct" }
    CeNoSuchNotification { en: "no such notification in your inbox", fr: "aucune notification de ce type dans votre boîte" }
    CeAlreadyRead { en: "the notification is already read", fr: "la notification est déjà lue" }
}
