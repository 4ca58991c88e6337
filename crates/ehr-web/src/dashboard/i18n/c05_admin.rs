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
