;; Test double of patient-registry for fuzzing permission-manager with Rendezvous
;; (Clarinet-permission-manager.toml). Every account is a registered patient; the faucet
;; account, which rv never sends as, is a patient whose guardian is wallet_2, itself a
;; verified doctor in the doctor-registry double: whatever wallet_2 does for the faucet,
;; it must never gain access for itself.
(define-constant WARD 'STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6)
(define-constant GUARDIAN 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG)

(define-read-only (is-registered (p principal)) true)
(define-read-only (acts-for (patient principal) (actor principal))
  (or (is-eq patient actor) (and (is-eq patient WARD) (is-eq actor GUARDIAN))))
(define-read-only (get-guardians (patient principal))
  (if (is-eq patient WARD) (list GUARDIAN) (list)))
