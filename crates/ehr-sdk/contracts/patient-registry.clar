;; patient-registry: who is a patient, their encryption key, their guardians.
;;
;; Identity hashes are salted (sha256(salt ++ identifier), the salt kept by the patient).
;; From v2 a hash reserves nothing: a verifier checks it against the account it is
;; registered to, so copying a hash out of the mempool (front-running) gains nothing and
;; blocks nobody. Every function that acts for a person requires a direct call
;; (tx-sender = contract-caller), so a patient lured into calling a third-party contract
;; cannot be made to act through it.
;;
;; Guardians: the patient (or an accepted guardian) proposes one with set-guardian(-for);
;; it becomes a guardian only when it calls accept-guardian. The proposed account is told
;; once per (patient, guardian) pair, ever, so proposals are no way to flood its inbox.
;; Removal: the patient or a guardian calls set-guardian(-for) with enabled false (this also
;; withdraws a pending proposal), or the guardian steps down with resign-guardian. A
;; guardian acts for the patient in set-guardian-for and update-enc-pubkey-for, and the
;; patient is told of every such act; only the patient ends its own registration.
;;
;; The administrator (enables verifiers) is handed over in two steps: propose-admin by the
;; current one, accept-admin by the new one.

(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-constant ERR-NOT-AUTHORIZED (err u100))
(define-constant ERR-ALREADY-REGISTERED (err u101))
(define-constant ERR-NOT-REGISTERED (err u103))
(define-constant ERR-NOT-VERIFIER (err u104))
(define-constant ERR-SELF-GUARDIAN (err u105))
(define-constant ERR-TOO-MANY-GUARDIANS (err u106))
(define-constant ERR-NOT-GUARDIAN (err u107))
(define-constant ERR-ALREADY-VERIFIED (err u108))
(define-constant ERR-INDIRECT-CALL (err u109))
(define-constant ERR-NOT-PATIENT-OR-GUARDIAN (err u110))
(define-constant ERR-NOT-PROPOSED (err u111))
(define-constant ERR-NOT-PROPOSED-ADMIN (err u112))

(define-data-var admin principal tx-sender)
(define-data-var proposed-admin (optional principal) none)

(define-map patients principal {
  id-hash: (buff 32),
  enc-pubkey: (buff 33),
  registered-at: uint,
  active: bool,
  verified: bool,
  verified-by: (optional principal)
})
;; At most 5 guardians: the list type bounds every scan of it.
(define-map guardian-lists principal (list 5 principal))
;; Proposals waiting for the guardian's acceptance (value: the block of the proposal).
(define-map guardian-proposals { patient: principal, guardian: principal } uint)
;; Pairs whose guardian was already told of a proposal: it is told once, ever.
(define-map proposal-told { patient: principal, guardian: principal } bool)
(define-map verifiers principal bool)

(define-private (log (patient principal) (action (string-ascii 24)))
  (contract-call? .audit-log append-entry patient tx-sender action u0 NO-DETAILS))

(define-private (tell (recipient principal) (kind (string-ascii 24)))
  (contract-call? .notification-system notify recipient kind u0))

(define-private (is-active (p principal))
  (default-to false (get active (map-get? patients p))))

;; When a guardian (not the patient itself) acted, the patient is told.
(define-private (tell-patient-if-guardian (patient principal) (kind (string-ascii 24)))
  (if (is-eq tx-sender patient) (ok false) (tell patient kind)))

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

(define-private (remove-guardian (patient principal) (guardian principal))
  (map-set guardian-lists patient
    (get kept (fold keep-unless (get-guardians patient) { drop: guardian, kept: (list) }))))

;; enabled true: propose `guardian` (it must accept-guardian); false: remove an accepted
;; guardian or withdraw a pending proposal.
(define-public (set-guardian-for (patient principal) (guardian principal) (enabled bool))
  (let ((current (get-guardians patient))
        (pair { patient: patient, guardian: guardian }))
    (try! (check-acts-for patient))
    (asserts! (not (is-eq guardian patient)) ERR-SELF-GUARDIAN)
    (if enabled
      (begin
        (asserts! (is-none (index-of? current guardian)) (ok true))
        (asserts! (is-none (map-get? guardian-proposals pair)) (ok true))
        (asserts! (< (len current) u5) ERR-TOO-MANY-GUARDIANS)
        (map-set guardian-proposals pair block-height)
        (try! (log patient "guardian-proposed"))
        (if (map-insert proposal-told pair true) (try! (tell guardian "guardian-proposed")) false)
        (try! (tell-patient-if-guardian patient "guardian-proposed"))
        (ok true))
      (if (map-delete guardian-proposals pair)
        (begin
          (try! (log patient "guardian-withdrawn"))
          (try! (tell-patient-if-guardian patient "guardian-withdrawn"))
          (ok true))
        (begin
          (asserts! (is-some (index-of? current guardian)) ERR-NOT-GUARDIAN)
          (remove-guardian patient guardian)
          (try! (log patient "guardian-removed"))
          (try! (tell guardian "guardian-removed"))
          (try! (tell-patient-if-guardian patient "guardian-removed"))
          (ok true))))))

(define-public (set-guardian (guardian principal) (enabled bool))
  (set-guardian-for tx-sender guardian enabled))

;; The proposed guardian accepts: from now on it acts for the patient.
(define-public (accept-guardian (patient principal))
  (let ((pair { patient: patient, guardian: tx-sender }))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-active patient) ERR-NOT-REGISTERED)
    (asserts! (map-delete guardian-proposals pair) ERR-NOT-PROPOSED)
    (map-set guardian-lists patient
      (unwrap! (as-max-len? (append (get-guardians patient) tx-sender) u5) ERR-TOO-MANY-GUARDIANS))
    (try! (log patient "guardian-added"))
    (try! (tell patient "guardian-added"))
    (ok true)))

;; A guardian steps down (it needs no patient's consent to stop acting for it).
(define-public (resign-guardian (patient principal))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-some (index-of? (get-guardians patient) tx-sender)) ERR-NOT-GUARDIAN)
    (remove-guardian patient tx-sender)
    (try! (log patient "guardian-resigned"))
    (try! (tell patient "guardian-resigned"))
    (ok true)))

(define-public (update-enc-pubkey-for (patient principal) (enc-pubkey (buff 33)))
  (let ((p (unwrap! (map-get? patients patient) ERR-NOT-REGISTERED)))
    (try! (check-acts-for patient))
    (map-set patients patient (merge p { enc-pubkey: enc-pubkey }))
    (try! (log patient "update-enc-pubkey"))
    (try! (tell-patient-if-guardian patient "enc-pubkey-updated"))
    (ok true)))

(define-public (update-enc-pubkey (enc-pubkey (buff 33)))
  (update-enc-pubkey-for tx-sender enc-pubkey))

;; Deactivation is final and only the patient itself may do it (a guardian cannot): every
;; access check treats the patient as unregistered, and its guardians lose their authority.
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
    (asserts! (is-eq tx-sender (var-get admin)) ERR-NOT-AUTHORIZED)
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

;; Step 1 of handing the administrator role over: the current administrator names its
;; successor (a later proposal replaces an earlier one).
(define-public (propose-admin (new-admin principal))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender (var-get admin)) ERR-NOT-AUTHORIZED)
    (var-set proposed-admin (some new-admin))
    (try! (log new-admin "admin-proposed"))
    (ok true)))

;; Step 2: the proposed account accepts and becomes the administrator.
(define-public (accept-admin)
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq (var-get proposed-admin) (some tx-sender)) ERR-NOT-PROPOSED-ADMIN)
    (var-set admin tx-sender)
    (var-set proposed-admin none)
    (try! (log tx-sender "admin-accepted"))
    (ok true)))

(define-read-only (get-patient (p principal)) (map-get? patients p))
(define-read-only (is-registered (p principal)) (is-active p))
(define-read-only (is-guardian (patient principal) (guardian principal))
  (and (is-active patient) (is-some (index-of? (get-guardians patient) guardian))))
(define-read-only (get-guardians (patient principal)) (default-to (list) (map-get? guardian-lists patient)))
;; The block of a pending guardianship proposal, if any.
(define-read-only (get-guardian-proposal (patient principal) (guardian principal))
  (map-get? guardian-proposals { patient: patient, guardian: guardian }))
(define-read-only (is-verifier (p principal)) (default-to false (map-get? verifiers p)))
;; The patient itself, or one of its guardians, while the patient is active.
(define-read-only (acts-for (patient principal) (actor principal))
  (and (is-active patient)
       (or (is-eq patient actor)
           (is-some (index-of? (get-guardians patient) actor)))))
;; The current administrator (the deployer until it hands the role over).
(define-read-only (get-owner) (var-get admin))
(define-read-only (get-proposed-admin) (var-get proposed-admin))
