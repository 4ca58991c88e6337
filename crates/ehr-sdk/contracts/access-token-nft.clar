;; access-token-nft: SIP-009 access tokens. The owner of a token is its grantee.
;;
;; A token carries {patient, grantee, scope, record-type, expires-at, issued-at, emergency,
;; revoked}. Scope is a bitmask: u1 read, u2 write, u4 share. At most one live token per
;; (patient, grantee) pair is indexed, so has-access is one map read, never a scan.
;;
;; Transfers (checked here: nft-transfer? checks no caller):
;;   - the patient may hand a token it holds to a verified doctor, who becomes its grantee;
;;   - a doctor may only hand a token back to the patient;
;;   - nothing else: a doctor cannot pass a token on.
;; A regular token (minted or handed over) supersedes a live emergency token of the same
;; pair: the emergency token is burned and the supersession audited, never refused.
;; Index maps (v2): patient -> its token ids, grantee -> the ids of tokens it became the
;; grantee of (other than a patient's own tokens); entries are never removed, so a reader
;; checks get-token for the current state. Listing is O(own entries).
;; Mint and burn are for permission-manager only, checked on contract-caller against the
;; constant `.permission-manager`: a relative name fixed at deploy time to
;; <deployer>.permission-manager. Nobody but the deployer can publish under that address,
;; and a name is never published twice, so the check cannot be spoofed and needs no
;; setter (no one-shot set-manager to front-run). Attack surface: the deployer key, which
;; must publish permission-manager in the same plan as this contract.

(impl-trait .nft-trait.nft-trait)

(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-constant ERR-NOT-AUTHORIZED (err u400))
(define-constant ERR-NOT-FOUND (err u401))
(define-constant ERR-NOT-OWNER (err u402))
(define-constant ERR-TRANSFER-REFUSED (err u403))
(define-constant ERR-NOT-VERIFIED (err u404))
(define-constant ERR-REVOKED (err u405))
(define-constant ERR-EXPIRED (err u406))
(define-constant ERR-ALREADY-GRANTED (err u407))
(define-constant ERR-INDIRECT-CALL (err u408))
(define-constant ERR-PATIENT-NOT-REGISTERED (err u409))

(define-non-fungible-token ehr-access uint)

(define-data-var last-token-id uint u0)

(define-map tokens uint {
  patient: principal,
  grantee: principal,
  scope: uint,
  record-type: (optional (string-ascii 32)),
  expires-at: uint,
  issued-at: uint,
  emergency: bool,
  revoked: bool
})
;; The live token of each (patient, grantee) pair, grantee not the patient.
(define-map active-tokens { patient: principal, grantee: principal } uint)
(define-map patient-token-count principal uint)
(define-map patient-tokens { owner: principal, index: uint } uint)
(define-map grantee-token-count principal uint)
(define-map grantee-tokens { owner: principal, index: uint } uint)

(define-private (index-patient-token (p principal) (id uint))
  (let ((n (get-patient-token-count p)))
    (map-set patient-tokens { owner: p, index: n } id)
    (map-set patient-token-count p (+ n u1))))

(define-private (index-grantee-token (g principal) (id uint))
  (let ((n (get-grantee-token-count g)))
    (map-set grantee-tokens { owner: g, index: n } id)
    (map-set grantee-token-count g (+ n u1))))

(define-private (is-live (id uint))
  (match (map-get? tokens id)
    t (and (not (get revoked t)) (< block-height (get expires-at t)))
    false))

;; No live token indexed for the pair (an expired or revoked one may be replaced).
(define-private (pair-free (patient principal) (grantee principal))
  (match (map-get? active-tokens { patient: patient, grantee: grantee })
    id (not (is-live id))
    true))

;; A live emergency token of the pair gives way to a regular one: burned, marked revoked,
;; audited as "emergency-superseded". Anything else is left as it is.
(define-private (supersede-emergency (patient principal) (grantee principal))
  (match (map-get? active-tokens { patient: patient, grantee: grantee })
    id (let ((t (unwrap-panic (map-get? tokens id))))
         (if (and (get emergency t) (is-live id))
           (begin
             (try! (nft-burn? ehr-access id grantee))
             (map-set tokens id (merge t { revoked: true }))
             (map-delete active-tokens { patient: patient, grantee: grantee })
             (try! (contract-call? .audit-log append-entry patient tx-sender "emergency-superseded" id NO-DETAILS))
             (ok true))
           (ok false)))
    (ok false)))

(define-public (mint (patient principal) (grantee principal) (scope uint)
                     (record-type (optional (string-ascii 32))) (expires-at uint) (emergency bool))
  (let ((id (+ (var-get last-token-id) u1)))
    (asserts! (is-eq contract-caller .permission-manager) ERR-NOT-AUTHORIZED)
    (if (or emergency (is-eq patient grantee)) false (try! (supersede-emergency patient grantee)))
    (asserts! (or (is-eq patient grantee) (pair-free patient grantee)) ERR-ALREADY-GRANTED)
    (try! (nft-mint? ehr-access id grantee))
    (map-set tokens id {
      patient: patient, grantee: grantee, scope: scope, record-type: record-type,
      expires-at: expires-at, issued-at: block-height, emergency: emergency, revoked: false })
    (index-patient-token patient id)
    (if (is-eq patient grantee)
      true
      (begin
        (index-grantee-token grantee id)
        (map-set active-tokens { patient: patient, grantee: grantee } id)))
    (var-set last-token-id id)
    (ok id)))

;; Revocation: the token is burned and marked revoked; its data stays for the record.
(define-public (burn (id uint))
  (let ((t (unwrap! (map-get? tokens id) ERR-NOT-FOUND))
        (owner (unwrap! (nft-get-owner? ehr-access id) ERR-REVOKED)))
    (asserts! (is-eq contract-caller .permission-manager) ERR-NOT-AUTHORIZED)
    (try! (nft-burn? ehr-access id owner))
    (map-set tokens id (merge t { revoked: true }))
    (if (is-eq (map-get? active-tokens { patient: (get patient t), grantee: (get grantee t) }) (some id))
      (map-delete active-tokens { patient: (get patient t), grantee: (get grantee t) })
      false)
    (ok true)))

(define-public (transfer (id uint) (sender principal) (recipient principal))
  (let ((t (unwrap! (map-get? tokens id) ERR-NOT-FOUND))
        (patient (get patient t)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender sender) ERR-NOT-OWNER)
    (asserts! (is-eq (nft-get-owner? ehr-access id) (some sender)) ERR-NOT-OWNER)
    (asserts! (not (get revoked t)) ERR-REVOKED)
    (asserts! (< block-height (get expires-at t)) ERR-EXPIRED)
    (if (is-eq sender patient)
      ;; patient -> verified doctor: the doctor becomes the grantee
      (begin
        (asserts! (not (is-eq recipient patient)) ERR-TRANSFER-REFUSED)
        (asserts! (not (get emergency t)) ERR-TRANSFER-REFUSED)
        (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
        (asserts! (contract-call? .doctor-registry is-verified recipient) ERR-NOT-VERIFIED)
        (try! (supersede-emergency patient recipient))
        (asserts! (pair-free patient recipient) ERR-ALREADY-GRANTED)
        (try! (nft-transfer? ehr-access id sender recipient))
        (map-set tokens id (merge t { grantee: recipient }))
        (index-grantee-token recipient id)
        (map-set active-tokens { patient: patient, grantee: recipient } id)
        (try! (contract-call? .audit-log append-entry patient sender "token-transfer" id NO-DETAILS))
        (try! (contract-call? .notification-system notify recipient "access-granted" id))
        (ok true))
      ;; grantee -> back to the patient, and nowhere else
      (begin
        (asserts! (is-eq recipient patient) ERR-TRANSFER-REFUSED)
        (try! (nft-transfer? ehr-access id sender recipient))
        (map-set tokens id (merge t { grantee: patient }))
        (map-delete active-tokens { patient: patient, grantee: sender })
        (try! (contract-call? .audit-log append-entry patient sender "token-return" id NO-DETAILS))
        (try! (contract-call? .notification-system notify patient "access-returned" id))
        (ok true)))))

(define-read-only (get-last-token-id) (ok (var-get last-token-id)))
(define-read-only (get-token-uri (id uint)) (ok none))
(define-read-only (get-owner (id uint)) (ok (nft-get-owner? ehr-access id)))
(define-read-only (get-token (id uint)) (map-get? tokens id))
(define-read-only (get-active-token (patient principal) (grantee principal))
  (map-get? active-tokens { patient: patient, grantee: grantee }))
(define-read-only (get-patient-token-count (p principal)) (default-to u0 (map-get? patient-token-count p)))
(define-read-only (get-patient-token-id (p principal) (index uint)) (map-get? patient-tokens { owner: p, index: index }))
(define-read-only (get-grantee-token-count (p principal)) (default-to u0 (map-get? grantee-token-count p)))
(define-read-only (get-grantee-token-id (p principal) (index uint)) (map-get? grantee-tokens { owner: p, index: index }))
