;; patient-registry: who is a patient, their encryption key, their guardians.
;;
;; Identity hashes are salted (sha256(salt ++ identifier), the salt kept by the patient)
;; and unique. Every function that acts for a person requires a direct call
;; (tx-sender = contract-caller), so a patient lured into calling a third-party contract
;; cannot be made to act through it.
;;
;; A guardian acts for the patient in every patient-side function: set-guardian,
;; update-enc-pubkey and deactivate act for tx-sender itself; their -for variants name the
;; patient and accept the patient or one of its guardians (acts-for). When a guardian
;; acts, the patient is notified.

(define-constant CONTRACT-OWNER tx-sender)
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
(define-constant ERR-NOT-PATIENT-OR-GUARDIAN (err u110))

(define-map patients principal {
  id-hash: (buff 32),
  enc-pubkey: (buff 33),
  registered-at: uint,
  active: bool,
  verified: bool,
  verified-by: (optional principal)
})
(define-map id-hashes (buff 32) principal)
;; At most 5 guardians: the list type bounds every scan of it.
(define-map guardian-lists principal (list 5 principal))
(define-map verifiers principal bool)

(define-private (log (patient principal) (action (string-ascii 24)))
  (contract-call? .audit-log append-entry patient tx-sender action u0 NO-DETAILS))

(define-private (tell (recipient principal) (kind (string-ascii 24)))
  (contract-call? .notification-system notify recipient kind u0))

(define-private (is-active (p principal))
  (default-to false (get active (map-get? patients p))))

;; When a guardian (not the patient itself) acted, the patient is told.
(define-private (tell-patient-if-guardian (patient principal) (kind (string-ascii 24)))
  (if (is-eq tx-sender patient) (ok u0) (tell patient kind)))

;; The direct caller is the active patient or one of its guardians.
(define-private (check-acts-for (patient principal))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-active patient) ERR-NOT-REGISTERED)
    (asserts! (acts-for patient tx-sender) ERR-NOT-PATIENT-OR-GUARDIAN)
    (ok true)))

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

;; The guardian list without `drop` (a fold: Clarity's filter takes no closure).
(define-private (keep-unless (g principal) (acc { drop: principal, kept: (list 5 principal) }))
  (if (is-eq g (get drop acc))
      acc
      (merge acc { kept: (unwrap-panic (as-max-len? (append (get kept acc) g) u5)) })))

(define-public (set-guardian-for (patient principal) (guardian principal) (enabled bool))
  (let ((current (get-guardians patient)))
    (try! (check-acts-for patient))
    (asserts! (not (is-eq guardian patient)) ERR-SELF-GUARDIAN)
    (if enabled
      (begin
        (asserts! (is-none (index-of? current guardian)) (ok true))
        (map-set guardian-lists patient
          (unwrap! (as-max-len? (append current guardian) u5) ERR-TOO-MANY-GUARDIANS))
        (try! (log patient "guardian-added"))
        (try! (tell guardian "guardian-added"))
        (try! (tell-patient-if-guardian patient "guardian-added"))
        (ok true))
      (begin
        (asserts! (is-some (index-of? current guardian)) ERR-NOT-GUARDIAN)
        (map-set guardian-lists patient
          (get kept (fold keep-unless current { drop: guardian, kept: (list) })))
        (try! (log patient "guardian-removed"))
        (try! (tell guardian "guardian-removed"))
        (try! (tell-patient-if-guardian patient "guardian-removed"))
        (ok true)))))

(define-public (set-guardian (guardian principal) (enabled bool))
  (set-guardian-for tx-sender guardian enabled))

(define-public (update-enc-pubkey-for (patient principal) (enc-pubkey (buff 33)))
  (let ((p (unwrap! (map-get? patients patient) ERR-NOT-REGISTERED)))
    (try! (check-acts-for patient))
    (map-set patients patient (merge p { enc-pubkey: enc-pubkey }))
    (try! (log patient "update-enc-pubkey"))
    (try! (tell-patient-if-guardian patient "enc-pubkey-updated"))
    (ok true)))

(define-public (update-enc-pubkey (enc-pubkey (buff 33)))
  (update-enc-pubkey-for tx-sender enc-pubkey))

;; Deactivation is final: every access check treats the patient as unregistered, and its
;; guardians lose their authority with it.
(define-public (deactivate-for (patient principal))
  (let ((p (unwrap! (map-get? patients patient) ERR-NOT-REGISTERED)))
    (try! (check-acts-for patient))
    (map-set patients patient (merge p { active: false }))
    (try! (log patient "deactivate"))
    (try! (tell-patient-if-guardian patient "deactivated"))
    (ok true)))

(define-public (deactivate)
  (deactivate-for tx-sender))

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
  (and (is-active patient) (is-some (index-of? (get-guardians patient) guardian))))
(define-read-only (get-guardians (patient principal)) (default-to (list) (map-get? guardian-lists patient)))
(define-read-only (is-verifier (p principal)) (default-to false (map-get? verifiers p)))
;; The patient itself, or one of its guardians, while the patient is active.
(define-read-only (acts-for (patient principal) (actor principal))
  (and (is-active patient)
       (or (is-eq patient actor)
           (is-some (index-of? (get-guardians patient) actor)))))
(define-read-only (get-owner) CONTRACT-OWNER)
