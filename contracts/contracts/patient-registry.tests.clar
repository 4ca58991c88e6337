;; Rendezvous invariants for patient-registry (appended to the contract by `rv` only; never
;; deployed). `rv` calls the contract's public functions in random order, with random
;; arguments, as random devnet accounts, and checks every invariant-* after each call.
;; The `context` map (maintained by rv) counts each function's successful calls.

;; The accounts rv calls as (settings/Devnet.toml, faucet excluded).
(define-constant FUZZ-ACCOUNTS (list
  'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM
  'ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5
  'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG
  'ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC
  'ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND
  'ST2REHHS5J3CERCRBEPMGH7921Q6PYKAADT7JP2VB
  'ST3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ10MGCS0
  'ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ
  'ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP))
(define-constant FUZZ-DEPLOYER 'ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM)

(define-read-only (fuzz-calls (name (string-ascii 100)))
  (default-to u0 (get called (map-get? context name))))

(define-private (fuzz-inactive (p principal) (n uint))
  (match (map-get? patients p) r (if (get active r) n (+ n u1)) n))

(define-private (fuzz-verified (p principal) (n uint))
  (match (map-get? patients p) r (if (get verified r) (+ n u1) n) n))

(define-private (fuzz-inbox (p principal) (n uint))
  (+ n (contract-call? .notification-system get-notification-count p)))

;; A guardian list is well formed: no self-guardian, no duplicate.
(define-private (fuzz-list-ok (p principal) (good bool))
  (let ((gs (get-guardians p)))
    (and good
         (is-none (index-of? gs p))
         (get good (fold fuzz-no-dup gs { seen: (list), good: true })))))

(define-private (fuzz-no-dup (g principal) (acc { seen: (list 5 principal), good: bool }))
  { seen: (unwrap-panic (as-max-len? (append (get seen acc) g) u5)),
    good: (and (get good acc) (is-none (index-of? (get seen acc) g))) })

(define-private (fuzz-guardian-count (p principal) (n uint))
  (+ n (len (get-guardians p))))

;; Only the patient ends its registration: deactivated patients never outnumber the
;; successful calls of `deactivate` (a guardian has no way to do it).
(define-read-only (invariant-only-the-patient-deactivates)
  (<= (fold fuzz-inactive FUZZ-ACCOUNTS u0) (fuzz-calls "deactivate")))

;; Guardianship needs the guardian's acceptance: there are never more guardians than
;; successful accept-guardian calls; lists hold no self-guardian and no duplicate.
(define-read-only (invariant-guardians-accepted)
  (and (<= (fold fuzz-guardian-count FUZZ-ACCOUNTS u0) (fuzz-calls "accept-guardian"))
       (fold fuzz-list-ok FUZZ-ACCOUNTS true)))

;; Only a verifier verifies: verified patients never outnumber verify-patient calls.
(define-read-only (invariant-verified-by-a-verifier)
  (<= (fold fuzz-verified FUZZ-ACCOUNTS u0) (fuzz-calls "verify-patient")))

;; The administrator changes only by the two-step handover.
(define-read-only (invariant-admin-handover-is-two-step)
  (or (is-eq (var-get admin) FUZZ-DEPLOYER) (> (fuzz-calls "accept-admin") u0)))

;; The audit log only grows with the state changes: every successful call of a function
;; that always writes an entry added one.
(define-read-only (invariant-every-change-is-audited)
  (>= (contract-call? .audit-log get-entry-count)
      (+ (fuzz-calls "register-patient") (fuzz-calls "accept-guardian")
         (fuzz-calls "resign-guardian") (fuzz-calls "deactivate")
         (fuzz-calls "verify-patient") (fuzz-calls "set-verifier")
         (fuzz-calls "propose-admin") (fuzz-calls "accept-admin")
         (fuzz-calls "update-enc-pubkey") (fuzz-calls "update-enc-pubkey-for"))))

;; No notification without a cause: each successful call tells at most two accounts.
(define-read-only (invariant-no-notification-without-a-cause)
  (<= (fold fuzz-inbox FUZZ-ACCOUNTS u0)
      (* u2 (+ (fuzz-calls "set-guardian") (fuzz-calls "set-guardian-for")
               (fuzz-calls "accept-guardian") (fuzz-calls "resign-guardian")
               (fuzz-calls "update-enc-pubkey-for") (fuzz-calls "verify-patient")))))
