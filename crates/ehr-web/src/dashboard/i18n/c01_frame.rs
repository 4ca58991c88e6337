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
