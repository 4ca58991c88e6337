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
