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
