;; Rendezvous invariants for audit-log (appended by `rv` only; never deployed). rv calls
;; append-entry as random devnet accounts, with random arguments.

;; Nobody but the EHR contracts writes the log.
(define-read-only (invariant-only-ehr-contracts-write)
  (is-eq (var-get entry-count) u0))

;; The head is the hash of the last entry (or genesis for an empty log): the chain only
;; grows from what is there.
(define-read-only (invariant-head-is-the-last-entry)
  (if (is-eq (var-get entry-count) u0)
      (is-eq (var-get head) GENESIS-HASH)
      (is-eq (some (var-get head))
             (get entry-hash (map-get? entries (- (var-get entry-count) u1))))))
