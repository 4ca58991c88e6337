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
