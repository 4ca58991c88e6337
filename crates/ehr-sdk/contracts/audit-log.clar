;; audit-log: an append-only hash chain of everything that happens to a patient's record.
;;
;; Each entry carries prev-hash (the chain head before it) and entry-hash =
;; sha256(to-consensus-buff? {id, patient, actor, action, ref, details-hash, block, prev-hash}),
;; so an export can be verified offline: recompute every entry-hash and check each
;; prev-hash is the previous entry's entry-hash. Entries are indexed per patient (the
;; subject) for paging. Only the EHR contracts may append (checked on contract-caller).

(define-constant ERR-NOT-AUTHORIZED (err u600))

(define-constant GENESIS-HASH 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-data-var entry-count uint u0)
(define-data-var head (buff 32) GENESIS-HASH)

(define-map entries uint {
  patient: principal,
  actor: principal,
  action: (string-ascii 24),
  ref: uint,
  details-hash: (buff 32),
  block: uint,
  prev-hash: (buff 32),
  entry-hash: (buff 32)
})
(define-map patient-entry-count principal uint)
(define-map patient-entries { patient: principal, index: uint } uint)

(define-read-only (is-ehr-contract (caller principal))
  (or (is-eq caller .patient-registry)
      (is-eq caller .doctor-registry)
      (is-eq caller .ehr-storage)
      (is-eq caller .access-token-nft)
      (is-eq caller .permission-manager)))

(define-public (append-entry (patient principal) (actor principal) (action (string-ascii 24)) (ref uint) (details-hash (buff 32)))
  (let (
      (id (var-get entry-count))
      (prev (var-get head))
      (entry-hash (sha256 (unwrap-panic (to-consensus-buff? {
        id: id, patient: patient, actor: actor, action: action, ref: ref,
        details-hash: details-hash, block: block-height, prev-hash: prev }))))
      (index (default-to u0 (map-get? patient-entry-count patient))))
    (asserts! (is-ehr-contract contract-caller) ERR-NOT-AUTHORIZED)
    (map-set entries id {
      patient: patient, actor: actor, action: action, ref: ref, details-hash: details-hash,
      block: block-height, prev-hash: prev, entry-hash: entry-hash })
    (map-set patient-entries { patient: patient, index: index } id)
    (map-set patient-entry-count patient (+ index u1))
    (var-set entry-count (+ id u1))
    (var-set head entry-hash)
    (ok id)))

(define-read-only (get-entry (id uint)) (map-get? entries id))
(define-read-only (get-entry-count) (var-get entry-count))
(define-read-only (get-patient-entry-count (p principal)) (default-to u0 (map-get? patient-entry-count p)))
(define-read-only (get-patient-entry-id (p principal) (index uint)) (map-get? patient-entries { patient: p, index: index }))
(define-read-only (get-head) { head: (var-get head), count: (var-get entry-count) })
