;; permission-manager: requests, grants, revocation, emergency access and logged views.
;; has-access is the one source of truth for who may do what with a patient's records.
;;
;; Authority: patient-side functions may be called by the patient or one of its guardians
;; (the -for variants name the patient); every function that acts for a person requires a
;; direct call (tx-sender = contract-caller). Grantees are verified doctors; a grant is an
;; access token (access-token-nft) owned by the grantee. One live grant per
;; (patient, grantee): revoke before granting again.

(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)
(define-constant SCOPE-READ u1)
(define-constant SCOPE-ALL u7)
(define-constant EMERGENCY-BLOCKS u144)  ;; about a day of blocks
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
(define-constant ERR-NO-ACCESS (err u509))
(define-constant ERR-REVOKED (err u510))
(define-constant ERR-INDIRECT-CALL (err u511))
(define-constant ERR-SELF-GRANT (err u512))

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

(define-private (log (patient principal) (action (string-ascii 24)) (ref uint) (details (buff 32)))
  (contract-call? .audit-log append-entry patient tx-sender action ref details))

(define-private (tell (recipient principal) (kind (string-ascii 24)) (ref uint))
  (contract-call? .notification-system notify recipient kind ref))

(define-private (valid-scope (scope uint))
  (and (> scope u0) (is-eq (bit-and scope SCOPE-ALL) scope)))

(define-private (acts-for (patient principal))
  (contract-call? .patient-registry acts-for patient tx-sender))

;; ---- requests -----------------------------------------------------------------------

(define-public (request-access (patient principal) (scope uint) (duration uint) (reason (string-utf8 128)))
  (let ((id (+ (var-get request-count) u1)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (contract-call? .doctor-registry is-verified tx-sender) ERR-NOT-VERIFIED-DOCTOR)
    (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
    (asserts! (valid-scope scope) ERR-BAD-SCOPE)
    (asserts! (and (> duration u0) (<= duration MAX-DURATION)) ERR-BAD-EXPIRY)
    (map-set requests id {
      patient: patient, requester: tx-sender, scope: scope, duration: duration, reason: reason,
      status: "pending", created-at: block-height, token-id: none })
    (var-set request-count id)
    (try! (log patient "request-access" id (sha256 (unwrap-panic (to-consensus-buff? reason)))))
    (try! (tell patient "access-request" id))
    (ok id)))

(define-public (approve-request (request-id uint))
  (let ((r (unwrap! (map-get? requests request-id) ERR-REQUEST-NOT-FOUND))
        (patient (get patient r)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for patient) ERR-NOT-AUTHORIZED)
    (asserts! (is-eq (get status r) "pending") ERR-REQUEST-CLOSED)
    (asserts! (contract-call? .doctor-registry is-verified (get requester r)) ERR-NOT-VERIFIED-DOCTOR)
    (let ((token-id (try! (contract-call? .access-token-nft mint patient (get requester r) (get scope r)
                             none (+ block-height (get duration r)) false))))
      (map-set requests request-id (merge r { status: "approved", token-id: (some token-id) }))
      (try! (log patient "approve-request" request-id NO-DETAILS))
      (try! (tell (get requester r) "request-approved" token-id))
      (ok token-id))))

(define-public (deny-request (request-id uint))
  (let ((r (unwrap! (map-get? requests request-id) ERR-REQUEST-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for (get patient r)) ERR-NOT-AUTHORIZED)
    (asserts! (is-eq (get status r) "pending") ERR-REQUEST-CLOSED)
    (map-set requests request-id (merge r { status: "denied" }))
    (try! (log (get patient r) "deny-request" request-id NO-DETAILS))
    (try! (tell (get requester r) "request-denied" request-id))
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
      (ok token-id))))

(define-public (create-token (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (create-token-for tx-sender scope record-type expires-at))

(define-public (grant-access-for (patient principal) (grantee principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (begin
    (try! (check-grant patient scope expires-at))
    (asserts! (not (is-eq grantee patient)) ERR-SELF-GRANT)
    (asserts! (contract-call? .doctor-registry is-verified grantee) ERR-NOT-VERIFIED-DOCTOR)
    (let ((token-id (try! (contract-call? .access-token-nft mint patient grantee scope record-type expires-at false))))
      (try! (log patient "grant-access" token-id NO-DETAILS))
      (try! (tell grantee "access-granted" token-id))
      (ok token-id))))

(define-public (grant-access (grantee principal) (scope uint) (record-type (optional (string-ascii 32))) (expires-at uint))
  (grant-access-for tx-sender grantee scope record-type expires-at))

(define-public (revoke-access (token-id uint))
  (let ((t (unwrap! (contract-call? .access-token-nft get-token token-id) ERR-TOKEN-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (acts-for (get patient t)) ERR-NOT-AUTHORIZED)
    (asserts! (not (get revoked t)) ERR-REVOKED)
    (try! (contract-call? .access-token-nft burn token-id))
    (try! (log (get patient t) "revoke-access" token-id NO-DETAILS))
    (try! (tell (get grantee t) "access-revoked" token-id))
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
    (ok true)))

(define-public (set-emergency-allowed (allowed bool))
  (set-emergency-allowed-for tx-sender allowed))

;; ---- logged views -------------------------------------------------------------------

;; A token holder records that it viewed (or otherwise used) a record. The token must be
;; the caller's, live, and carry read scope; the view lands in the patient's audit trail.
(define-public (log-access (token-id uint) (record-id uint) (action (string-ascii 24)))
  (let ((t (unwrap! (contract-call? .access-token-nft get-token token-id) ERR-TOKEN-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq (get grantee t) tx-sender) ERR-NOT-AUTHORIZED)
    (asserts! (has-access (get patient t) tx-sender SCOPE-READ (get record-type t)) ERR-NO-ACCESS)
    (try! (log (get patient t) action record-id (sha256 (unwrap-panic (to-consensus-buff? token-id)))))
    (try! (tell (get patient t) "record-viewed" record-id))
    (ok true)))

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
