;; patient-registry: who is a patient, their encryption key, their guardians.
;;
;; Identity hashes are salted (sha256(salt ++ identifier), the salt kept by the patient)
;; and unique. Every function that acts for a person requires a direct call
;; (tx-sender = contract-caller), so a patient lured into calling a third-party contract
;; cannot be made to act through it.

(define-constant CONTRACT-OWNER tx-sender)
(define-constant MAX-GUARDIANS u5)
(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-constant ERR-NOT-AUTHORIZED (err u100))
(define-constant ERR-ALREADY-REGISTERED (err u101))
(define-constant ERR-ID-HASH-TAKEN (err u102))
(define-constant ERR-NOT-REGISTERED (err u103))
(define-constant ERR-NOT-VERIFIER (err u104))
(define-constant ERR-SELF-GUARDIAN (err u105))
(define-constant ERR-TOO-MANY-GUARDIANS (err u106))
(define-constant ERR-NOT-GUARDIAN (err u107))
(define-constant ERR-ALREADY-VERIFIED (err u108))
(define-constant ERR-INDIRECT-CALL (err u109))

(define-map patients principal {
  id-hash: (buff 32),
  enc-pubkey: (buff 33),
  registered-at: uint,
  active: bool,
  verified: bool,
  verified-by: (optional principal)
})
(define-map id-hashes (buff 32) principal)
(define-map guardian-lists principal (list 5 principal))
(define-map verifiers principal bool)

;; The guardian being removed, for the filter below (Clarity has no closures).
(define-data-var removing principal CONTRACT-OWNER)

(define-private (log (patient principal) (action (string-ascii 24)))
  (contract-call? .audit-log append-entry patient tx-sender action u0 NO-DETAILS))

(define-private (tell (recipient principal) (kind (string-ascii 24)))
  (contract-call? .notification-system notify recipient kind u0))

(define-private (is-active (p principal))
  (default-to false (get active (map-get? patients p))))

(define-public (register-patient (id-hash (buff 32)) (enc-pubkey (buff 33)))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-none (map-get? patients tx-sender)) ERR-ALREADY-REGISTERED)
    (asserts! (map-insert id-hashes id-hash tx-sender) ERR-ID-HASH-TAKEN)
    (map-set patients tx-sender {
      id-hash: id-hash, enc-pubkey: enc-pubkey, registered-at: block-height,
      active: true, verified: false, verified-by: none })
    (try! (log tx-sender "register-patient"))
    (ok true)))

(define-private (is-not-removing (g principal)) (not (is-eq g (var-get removing))))

(define-public (set-guardian (guardian principal) (enabled bool))
  (let ((current (default-to (list) (map-get? guardian-lists tx-sender))))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-active tx-sender) ERR-NOT-REGISTERED)
    (asserts! (not (is-eq guardian tx-sender)) ERR-SELF-GUARDIAN)
    (if enabled
      (begin
        (asserts! (is-none (index-of? current guardian)) (ok true))
        (map-set guardian-lists tx-sender
          (unwrap! (as-max-len? (append current guardian) u5) ERR-TOO-MANY-GUARDIANS))
        (try! (log tx-sender "guardian-added"))
        (try! (tell guardian "guardian-added"))
        (ok true))
      (begin
        (asserts! (is-some (index-of? current guardian)) ERR-NOT-GUARDIAN)
        (var-set removing guardian)
        (map-set guardian-lists tx-sender (filter is-not-removing current))
        (try! (log tx-sender "guardian-removed"))
        (try! (tell guardian "guardian-removed"))
        (ok true)))))

(define-public (update-enc-pubkey (enc-pubkey (buff 33)))
  (let ((p (unwrap! (map-get? patients tx-sender) ERR-NOT-REGISTERED)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (get active p) ERR-NOT-REGISTERED)
    (map-set patients tx-sender (merge p { enc-pubkey: enc-pubkey }))
    (try! (log tx-sender "update-enc-pubkey"))
    (ok true)))

;; Deactivation is final: every access check treats the patient as unregistered.
(define-public (deactivate)
  (let ((p (unwrap! (map-get? patients tx-sender) ERR-NOT-REGISTERED)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (get active p) ERR-NOT-REGISTERED)
    (map-set patients tx-sender (merge p { active: false }))
    (try! (log tx-sender "deactivate"))
    (ok true)))

(define-public (set-verifier (verifier principal) (enabled bool))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender CONTRACT-OWNER) ERR-NOT-AUTHORIZED)
    (map-set verifiers verifier enabled)
    (try! (log verifier (if enabled "verifier-added" "verifier-removed")))
    (ok true)))

(define-public (verify-patient (patient principal))
  (let ((p (unwrap! (map-get? patients patient) ERR-NOT-REGISTERED)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (default-to false (map-get? verifiers tx-sender)) ERR-NOT-VERIFIER)
    (asserts! (get active p) ERR-NOT-REGISTERED)
    (asserts! (not (get verified p)) ERR-ALREADY-VERIFIED)
    (map-set patients patient (merge p { verified: true, verified-by: (some tx-sender) }))
    (try! (log patient "verify-patient"))
    (try! (tell patient "patient-verified"))
    (ok true)))

(define-read-only (get-patient (p principal)) (map-get? patients p))
(define-read-only (is-registered (p principal)) (is-active p))
(define-read-only (is-guardian (patient principal) (guardian principal))
  (and (is-active patient)
       (is-some (index-of? (default-to (list) (map-get? guardian-lists patient)) guardian))))
(define-read-only (get-guardians (patient principal)) (default-to (list) (map-get? guardian-lists patient)))
(define-read-only (is-verifier (p principal)) (default-to false (map-get? verifiers p)))
;; The patient itself, or one of its guardians, while the patient is active.
(define-read-only (acts-for (patient principal) (actor principal))
  (and (is-active patient)
       (or (is-eq patient actor)
           (is-some (index-of? (default-to (list) (map-get? guardian-lists patient)) actor)))))
(define-read-only (get-owner) CONTRACT-OWNER)
