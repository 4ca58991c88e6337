    // ---- Errors (error.rs, extract.rs, mod.rs) ----
    ErrorUnknownAccount { en: "This server does not act for an account named `{name}`. Pick one of its accounts above.", fr: "Ce serveur n'agit pour aucun compte nommé `{name}`. Choisissez l'un de ses comptes ci-dessus." }
    ErrorCsrf { en: "missing or wrong CSRF token: reload the page and submit again", fr: "jeton CSRF absent ou erroné : rechargez la page et envoyez à nouveau" }
    ErrorRender { en: "the page could not be rendered: {why}", fr: "la page n'a pas pu être affichée : {why}" }
