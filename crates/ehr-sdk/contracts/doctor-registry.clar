;; doctor-registry: doctors, the issuers that verify their credentials, suspension and
;; expiry. A doctor is verified by an enabled issuer's call, or by submitting the
;; issuer's secp256k1 signature over attestation-hash (verification-helper), which binds
;; the doctor, its licence hash, the expiry, the issuer, the chain id and this contract, so
;; one signature never verifies in another deployment or chain. Each attestation can be
;; used once, so a suspended doctor cannot replay an old one.
;;
;; A licence hash reserves nothing (from v2): the issuer vouches for the account, so a hash
;; copied out of the mempool gains nothing and blocks nobody.
;;
;; Disabling an issuer un-verifies the doctors it verified at once (is-verified checks
;; that the issuer is still enabled); enabling it again restores them until their expiry.
;; A disabled issuer's key is usually a compromised one.
;;
;; The administrator (enables issuers) is handed over in two steps: propose-admin,
;; accept-admin.

(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-constant ERR-NOT-AUTHORIZED (err u200))
(define-constant ERR-ALREADY-REGISTERED (err u201))
(define-constant ERR-NOT-REGISTERED (err u203))
(define-constant ERR-NOT-ISSUER (err u204))
(define-constant ERR-BAD-SIGNATURE (err u205))
(define-constant ERR-BAD-EXPIRY (err u206))
(define-constant ERR-ATTESTATION-USED (err u207))
(define-constant ERR-INDIRECT-CALL (err u208))
(define-constant ERR-SUSPENDED (err u209))
(define-constant ERR-NOT-PROPOSED-ADMIN (err u210))

(define-data-var admin principal tx-sender)
(define-data-var proposed-admin (optional principal) none)

(define-map doctors principal {
  license-hash: (buff 32),
  enc-pubkey: (buff 33),
  specialty: (string-ascii 64),
  registered-at: uint,
  verified: bool,
  verified-by: (optional principal),
  expires-at: uint,
  suspended: bool
})
(define-map issuers principal { pubkey: (buff 33), enabled: bool })
(define-map used-attestations (buff 32) bool)

(define-private (log (subject principal) (action (string-ascii 24)) (ref uint))
  (contract-call? .audit-log append-entry subject tx-sender action ref NO-DETAILS))

(define-private (tell (recipient principal) (kind (string-ascii 24)) (ref uint))
  (contract-call? .notification-system notify recipient kind ref))

(define-private (is-issuer (p principal))
  (default-to false (get enabled (map-get? issuers p))))

(define-public (register-doctor (license-hash (buff 32)) (enc-pubkey (buff 33)) (specialty (string-ascii 64)))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-none (map-get? doctors tx-sender)) ERR-ALREADY-REGISTERED)
    (map-set doctors tx-sender {
      license-hash: license-hash, enc-pubkey: enc-pubkey, specialty: specialty,
      registered-at: block-height, verified: false, verified-by: none,
      expires-at: u0, suspended: false })
    (try! (log tx-sender "register-doctor" u0))
    (ok true)))

;; A doctor replaces its own encryption key (lost or leaked). Envelopes already written
;; to the old key stay as they are: the patient re-shares with the new key.
(define-public (update-enc-pubkey (enc-pubkey (buff 33)))
  (let ((d (unwrap! (map-get? doctors tx-sender) ERR-NOT-REGISTERED)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (map-set doctors tx-sender (merge d { enc-pubkey: enc-pubkey }))
    (try! (log tx-sender "doctor-enc-pubkey" u0))
    (ok true)))

(define-public (set-issuer (issuer principal) (issuer-pubkey (buff 33)) (enabled bool))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender (var-get admin)) ERR-NOT-AUTHORIZED)
    (map-set issuers issuer { pubkey: issuer-pubkey, enabled: enabled })
    (try! (log issuer (if enabled "issuer-enabled" "issuer-disabled") u0))
    (ok true)))

(define-private (mark-verified (doctor principal) (issuer principal) (expires-at uint))
  (let ((d (unwrap! (map-get? doctors doctor) ERR-NOT-REGISTERED)))
    (asserts! (> expires-at block-height) ERR-BAD-EXPIRY)
    (map-set doctors doctor (merge d { verified: true, verified-by: (some issuer), expires-at: expires-at, suspended: false }))
    (try! (log doctor "verify-doctor" expires-at))
    (try! (tell doctor "doctor-verified" expires-at))
    (ok true)))

;; A suspension is lifted only by the issuer that verified the doctor (by any issuer if
;; none has yet): another issuer cannot override it.
(define-public (verify-doctor (doctor principal) (expires-at uint))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-issuer tx-sender) ERR-NOT-ISSUER)
    (asserts! (match (map-get? doctors doctor)
                d (or (not (get suspended d)) (is-none (get verified-by d))
                      (is-eq (get verified-by d) (some tx-sender)))
                true)
              ERR-SUSPENDED)
    (mark-verified doctor tx-sender expires-at)))

(define-public (verify-with-attestation (issuer principal) (expires-at uint) (signature (buff 65)))
  (let (
      (d (unwrap! (map-get? doctors tx-sender) ERR-NOT-REGISTERED))
      (entry (unwrap! (map-get? issuers issuer) ERR-NOT-ISSUER))
      (hash (contract-call? .verification-helper attestation-hash tx-sender (get license-hash d) expires-at issuer)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (get enabled entry) ERR-NOT-ISSUER)
    (asserts! (secp256k1-verify hash signature (get pubkey entry)) ERR-BAD-SIGNATURE)
    (asserts! (map-insert used-attestations hash true) ERR-ATTESTATION-USED)
    ;; A signature may predate a suspension: only an issuer's own call lifts one.
    (asserts! (not (get suspended d)) ERR-SUSPENDED)
    (mark-verified tx-sender issuer expires-at)))

(define-public (suspend-doctor (doctor principal))
  (let ((d (unwrap! (map-get? doctors doctor) ERR-NOT-REGISTERED)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (or (is-issuer tx-sender) (is-eq tx-sender (var-get admin))) ERR-NOT-AUTHORIZED)
    (map-set doctors doctor (merge d { suspended: true }))
    (try! (log doctor "suspend-doctor" u0))
    (try! (tell doctor "doctor-suspended" u0))
    (ok true)))

;; Step 1 of handing the administrator role over: the current administrator names its
;; successor (a later proposal replaces an earlier one).
(define-public (propose-admin (new-admin principal))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender (var-get admin)) ERR-NOT-AUTHORIZED)
    (var-set proposed-admin (some new-admin))
    (try! (log new-admin "admin-proposed" u0))
    (ok true)))

;; Step 2: the proposed account accepts and becomes the administrator.
(define-public (accept-admin)
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq (var-get proposed-admin) (some tx-sender)) ERR-NOT-PROPOSED-ADMIN)
    (var-set admin tx-sender)
    (var-set proposed-admin none)
    (try! (log tx-sender "admin-accepted" u0))
    (ok true)))

(define-read-only (get-doctor (d principal)) (map-get? doctors d))
(define-read-only (get-issuer (i principal)) (map-get? issuers i))
;; Verified, not suspended, not expired, and the issuer that verified it still enabled.
(define-read-only (is-verified (d principal))
  (match (map-get? doctors d)
    doc (and (get verified doc) (not (get suspended doc)) (< block-height (get expires-at doc))
             (match (get verified-by doc) issuer (is-issuer issuer) false))
    false))
;; The current administrator (the deployer until it hands the role over).
(define-read-only (get-owner) (var-get admin))
(define-read-only (get-proposed-admin) (var-get proposed-admin))
