;; permission-manager: requests, grants, revocation, emergency access and logged views.
;; has-access is the one source of truth for who may do what with a patient's records.
;;
;; Authority: patient-side functions may be called by the patient or one of its guardians
;; (the -for variants name the patient); every function that acts for a person requires a
;; direct call (tx-sender = contract-caller). Grantees are verified doctors; a grant is an
;; access token (access-token-nft) owned by the grantee. One live grant per
;; (patient, grantee): revoke before granting again; a regular grant or approval supersedes
;; a live emergency token of the same doctor (access-token-nft burns it, audited).
;;
;; Guardians (v2): a guardian never benefits itself (no grant to itself, no approving its
;; own request), and the patient is told of every act a guardian does in its name.
;; After the patient revokes an emergency token, that doctor cannot open emergency access
;; to the patient again for EMERGENCY-COOLDOWN blocks.
;; Index maps: patient -> its request ids, doctor -> its request ids (O(own entries)).
;; Logged uses of a record (log-access) live in ehr-storage, which can check the record.

(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)
(define-constant SCOPE-READ u1)
(define-constant SCOPE-ALL u7)
(define-constant EMERGENCY-BLOCKS u144)  ;; about a day of blocks
(define-constant EMERGENCY-COOLDOWN u1008) ;; about a week of blocks
(define-constant MAX-DURATION u52560)    ;; about a year of blocks

(define-constant ERR-NOT-AUTHORIZED (err u500))
(define-constant ERR-PATIENT-NOT-REGISTERED (err u501))
(define-constant ERR-NOT-VERIFIED-DOCTOR (err u502))
(define-constant ERR-BAD-SCOPE (err u503))
(define-constant ERR-BAD-EXPIRY (err u504))
(define-constant ERR-REQUEST-NOT-FOUND (err u505))
(define-constant ERR-REQUEST-CLOSED (err u506))
(define-constant ERR-TOKEN-NOT-FOUND (err u507))
(define-constant ERR-EMERGENCY-OPTED-OUT (err u508))
(define-constant ERR-REVOKED (err u510))
(define-constant ERR-INDIRECT-CALL (err u511))
(define-constant ERR-SELF-GRANT (err u512))
(define-constant ERR-GUARDIAN-SELF-BENEFIT (err u513))
(define-constant ERR-EMERGENCY-COOLDOWN (err u514))
(define-constant ERR-REQUEST-PENDING (err u515))

(define-data-var request-count uint u0)
(define-map requests uint {
  patient: principal,
  requester: principal,
  scope: uint,
  duration: uint,
  reason: (string-utf8 128),
  status: (string-ascii 8),
  created-at: uint,
  token-id: (optional uint)
})
(define-map emergency-opt-out principal bool)
;; After the patient revokes a doctor's emergency token: the first block at which that
;; doctor may open emergency access to the patient again.
(define-map emergency-closed-until { patient: principal, doctor: principal } uint)
;; The open request of each (patient, doctor) pair: one at a time, so requests are no way
;; to flood a patient's inbox.
(define-map pending-requests { patient: principal, doctor: principal } uint)
(define-map patient-request-count principal uint)
(define-map patient-requests { owner: principal, index: uint } uint)
(define-map doctor-request-count principal uint)
(define-map doctor-requests { owner: principal, index: uint } uint)

(define-private (log (patient principal) (action (string-ascii 24)) (ref uint) (details (buff 32)))
  (contract-call? .audit-log append-entry patient tx-sender action ref details))

(define-private (tell (recipient principal) (kind (string-ascii 24)) (ref uint))
  (contract-call? .notification-system notify recipient kind ref))

(define-private (valid-scope (scope uint))
  (and (> scope u0) (is-eq (bit-and scope SCOPE-ALL) scope)))

(define-private (acts-for (patient principal))
  (contract-call? .patient-registry acts-for patient tx-sender))

;; When a guardian (not the patient itself) acted, the patient is told.
(define-private (tell-patient-if-guardian (patient principal) (kind (string-ascii 24)) (ref uint))
  (if (is-eq tx-sender patient) (ok false) (tell patient kind ref)))

;; ---- requests -----------------------------------------------------------------------

(define-public (request-access (patient principal) (scope uint) (duration uint) (reason (string-utf8 128)))
  (let ((id (+ (var-get request-count) u1)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (contract-call? .doctor-registry is-verified tx-sender) ERR-NOT-VERIFIED-DOCTOR)
    (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
    (asserts! (valid-scope scope) ERR-BAD-SCOPE)
    (asserts! (and (> duration u0) (<= duration MAX-DURATION)) ERR-BAD-EXPIRY)
    (asserts! (map-insert pending-requests { patient: patient, doctor: tx-sender } id) ERR-REQUEST-PENDING)
    (map-set requests id {
      patient: patient, requester: tx-sender, scope: scope, duration: duration, reason: reason,
      status: "pending", created-at: block-height, token-id: none })
    (var-set request-count id)
    (let ((pn (get-patient-request-count patient))
          (dn (get-doctor-request-count tx-sender)))
      (map-set patient-requests { owner: patient, index: pn } id)
      (map-set patient-request-count patient (+ pn u1))
      (map-set doctor-requests { owner: tx-sender, index: dn } id)
      (map-set doctor-request-count tx-sender (+ dn u1)))
    (try! (log patient "request-access" id (sha256 (unwrap-panic (to-consensus-buff? reason)))))
    (try! (tell patient "access-request" id))
    (ok id)))

(define-public (approve-request (request-id uint))
  (let ((r (unwrap! (map-get? requests request-id) ERR-REQUEST-NOT-FOUND))
        (patient (get patient r)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for patient) ERR-NOT-AUTHORIZED)
    (asserts! (not (is-eq tx-sender (get requester r))) ERR-GUARDIAN-SELF-BENEFIT)
    (asserts! (is-eq (get status r) "pending") ERR-REQUEST-CLOSED)
    (asserts! (contract-call? .doctor-registry is-verified (get requester r)) ERR-NOT-VERIFIED-DOCTOR)
    (let ((token-id (try! (contract-call? .access-token-nft mint patient (get requester r) (get scope r)
                             none (+ block-height (get duration r)) false))))
      (map-set requests request-id (merge r { status: "approved", token-id: (some token-id) }))
      (map-delete pending-requests { patient: patient, doctor: (get requester r) })
      (try! (log patient "approve-request" request-id NO-DETAILS))
      (try! (tell (get requester r) "request-approved" token-id))
      (try! (tell-patient-if-guardian patient "request-approved" request-id))
      (ok token-id))))

(define-public (deny-request (request-id uint))
  (let ((r (unwrap! (map-get? requests request-id) ERR-REQUEST-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for (get patient r)) ERR-NOT-AUTHORIZED)
    (asserts! (is-eq (get status r) "pending") ERR-REQUEST-CLOSED)
    (map-set requests request-id (merge r { status: "denied" }))
    (map-delete pending-requests { patient: (get patient r), doctor: (get requester r) })
    (try! (log (get patient r) "deny-request" request-id NO-DETAILS))
    (try! (tell (get requester r) "request-denied" request-id))
    (try! (tell-patient-if-guardian (get patient r) "request-denied" request-id))
    (ok true)))

;; ---- grants -------------------------------------------------------------------------

(define-private (check-grant (patient principal) (scope uint) (expires-at uint))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
    (asserts! (acts-for patient) ERR-NOT-AUTHORIZED)
    (asserts! (valid-scope scope) ERR-BAD-SCOPE)
    (asserts! (and (> expires-at block-height) (<= expires-at (+ block-height MAX-DURATION))) ERR-BAD-EXPIRY)
    (ok true)))

;; A token minted to the patient, to hand to a doctor later (transfer).
(define-public (create-token-for (patient principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (begin
    (try! (check-grant patient scope expires-at))
    (let ((token-id (try! (contract-call? .access-token-nft mint patient patient scope record-type expires-at false))))
      (try! (log patient "create-token" token-id NO-DETAILS))
      (try! (tell-patient-if-guardian patient "token-created" token-id))
      (ok token-id))))

(define-public (create-token (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (create-token-for tx-sender scope record-type expires-at))

(define-public (grant-access-for (patient principal) (grantee principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (begin
    (try! (check-grant patient scope expires-at))
    (asserts! (not (is-eq grantee patient)) ERR-SELF-GRANT)
    (asserts! (not (is-eq grantee tx-sender)) ERR-GUARDIAN-SELF-BENEFIT)
    (asserts! (contract-call? .doctor-registry is-verified grantee) ERR-NOT-VERIFIED-DOCTOR)
    (let ((token-id (try! (contract-call? .access-token-nft mint patient grantee scope record-type expires-at false))))
      (try! (log patient "grant-access" token-id NO-DETAILS))
      (try! (tell grantee "access-granted" token-id))
      (try! (tell-patient-if-guardian patient "access-granted" token-id))
      (ok token-id))))

(define-public (grant-access (grantee principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (grant-access-for tx-sender grantee scope record-type expires-at))

(define-public (revoke-access (token-id uint))
  (let ((t (unwrap! (contract-call? .access-token-nft get-token token-id) ERR-TOKEN-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for (get patient t)) ERR-NOT-AUTHORIZED)
    (asserts! (not (get revoked t)) ERR-REVOKED)
    (try! (contract-call? .access-token-nft burn token-id))
    (if (get emergency t)
      (map-set emergency-closed-until { patient: (get patient t), doctor: (get grantee t) }
        (+ block-height EMERGENCY-COOLDOWN))
      false)
    (try! (log (get patient t) "revoke-access" token-id NO-DETAILS))
    (try! (tell (get grantee t) "access-revoked" token-id))
    (try! (tell-patient-if-guardian (get patient t) "access-revoked" token-id))
    (ok true)))

;; ---- emergency ----------------------------------------------------------------------

(define-private (tell-guardian (guardian principal) (token-id uint))
  (begin
    (is-ok (tell guardian "emergency-access" token-id))
    token-id))

;; Read-only access for EMERGENCY-BLOCKS to a verified doctor, unless the patient opted
;; out; always audited (with the hash of the reason) and notified to patient and guardians.
(define-public (emergency-access (patient principal) (reason (string-utf8 128)))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (contract-call? .doctor-registry is-verified tx-sender) ERR-NOT-VERIFIED-DOCTOR)
    (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
    (asserts! (not (default-to false (map-get? emergency-opt-out patient))) ERR-EMERGENCY-OPTED-OUT)
    (asserts! (>= block-height (get-emergency-closed-until patient tx-sender)) ERR-EMERGENCY-COOLDOWN)
    (let ((token-id (try! (contract-call? .access-token-nft mint patient tx-sender SCOPE-READ none
                             (+ block-height EMERGENCY-BLOCKS) true))))
      (try! (log patient "emergency-access" token-id (sha256 (unwrap-panic (to-consensus-buff? reason)))))
      (try! (tell patient "emergency-access" token-id))
      (fold tell-guardian (contract-call? .patient-registry get-guardians patient) token-id)
      (ok token-id))))

(define-public (set-emergency-allowed-for (patient principal) (allowed bool))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for patient) ERR-NOT-AUTHORIZED)
    (map-set emergency-opt-out patient (not allowed))
    (try! (log patient (if allowed "emergency-allowed" "emergency-opt-out") u0 NO-DETAILS))
    (try! (tell-patient-if-guardian patient (if allowed "emergency-allowed" "emergency-opt-out") u0))
    (ok true)))

(define-public (set-emergency-allowed (allowed bool))
  (set-emergency-allowed-for tx-sender allowed))

;; ---- the source of truth ------------------------------------------------------------

;; May `grantee` use `scope` on `patient`'s records of `record-type` (none: every type)?
;; The patient and its guardians always may while the patient is active. Anyone else
;; needs the live token of the pair: owned by the grantee, not revoked, not expired,
;; scope bits present, record-type filter matching, and the grantee still a verified
;; doctor. Constant cost: a handful of map reads.
(define-read-only (has-access (patient principal) (grantee principal) (scope uint) (record-type (optional (string-ascii 32))))
  (and
    (valid-scope scope)
    (contract-call? .patient-registry is-registered patient)
    (or
      (contract-call? .patient-registry acts-for patient grantee)
      (match (contract-call? .access-token-nft get-active-token patient grantee)
        token-id (match (contract-call? .access-token-nft get-token token-id)
          t (and
              (not (get revoked t))
              (< block-height (get expires-at t))
              (is-eq (bit-and (get scope t) scope) scope)
              (is-eq (unwrap-panic (contract-call? .access-token-nft get-owner token-id)) (some grantee))
              (match (get record-type t) only (is-eq record-type (some only)) true)
              (contract-call? .doctor-registry is-verified grantee))
          false)
        false))))

(define-read-only (get-request (id uint)) (map-get? requests id))
(define-read-only (get-request-count) (var-get request-count))
(define-read-only (get-grant (token-id uint)) (contract-call? .access-token-nft get-token token-id))
(define-read-only (is-emergency-allowed (patient principal)) (not (default-to false (map-get? emergency-opt-out patient))))
(define-read-only (get-emergency-closed-until (patient principal) (doctor principal))
  (default-to u0 (map-get? emergency-closed-until { patient: patient, doctor: doctor })))
(define-read-only (get-patient-request-count (p principal)) (default-to u0 (map-get? patient-request-count p)))
(define-read-only (get-patient-request-id (p principal) (index uint)) (map-get? patient-requests { owner: p, index: index }))
(define-read-only (get-doctor-request-count (p principal)) (default-to u0 (map-get? doctor-request-count p)))
(define-read-only (get-doctor-request-id (p principal) (index uint)) (map-get? doctor-requests { owner: p, index: index }))
