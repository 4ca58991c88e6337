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
