;; ehr-storage: the record index. A record is a content hash plus a locator (where the
;; encrypted bytes live), or, for small records, the encrypted bytes themselves in chunks
;; on chain. Amendments are new versions; the old one is kept and points forward.
;; Key envelopes (the record's data key wrapped to a holder's public key) go only to
;; holders who may read the record.
;;
;; Writers: the patient, a guardian, or a grantee with write scope (u2) for the record's
;; type. Envelopes: the patient, a guardian, or a grantee with share scope (u4) may give
;; one to a new holder; an existing envelope is replaced only by its holder (and the
;; patient's own by the patient or a guardian), so no sharer can lock anyone out of a
;; record. All require a direct call (tx-sender = contract-caller).
;;
;; Logged uses (log-access): a token holder records that it used a record of the token's
;; patient, under one of a closed set of actions (view, download, print, export,
;; share-out) that no contract uses for its own entries. The patient is told of the first
;; use of each record under each token (the audit log keeps every use).
;;
;; Claim anchors (zero-knowledge claims, off chain): the author of a record version anchors
;; the hash of its signed commitment set once, while the version is current.

(define-constant SCOPE-READ u1)
(define-constant SCOPE-WRITE u2)
(define-constant SCOPE-SHARE u4)
(define-constant MAX-CHUNKS u64)   ;; 64 KiB kept whole on chain at most
(define-constant NO-DETAILS 0x0000000000000000000000000000000000000000000000000000000000000000)

(define-constant ERR-NOT-AUTHORIZED (err u300))
(define-constant ERR-PATIENT-NOT-REGISTERED (err u301))
(define-constant ERR-RECORD-NOT-FOUND (err u302))
(define-constant ERR-BAD-CHUNK-INDEX (err u303))
(define-constant ERR-CHUNK-EXISTS (err u304))
(define-constant ERR-HOLDER-NO-ACCESS (err u305))
(define-constant ERR-SUPERSEDED (err u306))
(define-constant ERR-INDIRECT-CALL (err u307))
(define-constant ERR-ENVELOPE-EXISTS (err u308))
(define-constant ERR-TOKEN-NOT-FOUND (err u309))
(define-constant ERR-NO-ACCESS (err u310))
(define-constant ERR-BAD-ACTION (err u311))
(define-constant ERR-RECORD-MISMATCH (err u312))
(define-constant ERR-ANCHOR-EXISTS (err u313))

(define-data-var record-count uint u0)
(define-map records uint {
  patient: principal,
  record-type: (string-ascii 32),
  content-hash: (buff 32),
  locator: (string-ascii 256),
  version: uint,
  previous: (optional uint),
  superseded-by: (optional uint),
  author: principal,
  created-at: uint,
  chunk-count: uint
})
(define-map patient-record-count principal uint)
(define-map patient-records { patient: principal, index: uint } uint)
(define-map chunks { id: uint, index: uint } (buff 1024))
(define-map envelopes { id: uint, holder: principal } (buff 128))
(define-map claims-anchors uint { anchor: (buff 32), anchored-at: uint })
;; (token, record) pairs whose first logged use the patient was told of.
(define-map use-told { token-id: uint, record-id: uint } bool)

(define-private (log (patient principal) (action (string-ascii 24)) (ref uint) (details (buff 32)))
  (contract-call? .audit-log append-entry patient tx-sender action ref details))

(define-private (tell (recipient principal) (kind (string-ascii 24)) (ref uint))
  (contract-call? .notification-system notify recipient kind ref))

(define-private (may (patient principal) (who principal) (scope uint) (record-type (string-ascii 32)))
  (contract-call? .permission-manager has-access patient who scope (some record-type)))

(define-private (store-record (patient principal) (record-type (string-ascii 32)) (content-hash (buff 32))
                              (locator (string-ascii 256)) (owner-envelope (buff 128))
                              (version uint) (previous (optional uint)))
  (let ((id (+ (var-get record-count) u1))
        (index (get-patient-record-count patient)))
    (map-set records id {
      patient: patient, record-type: record-type, content-hash: content-hash, locator: locator,
      version: version, previous: previous, superseded-by: none, author: tx-sender,
      created-at: block-height, chunk-count: u0 })
    (map-set patient-records { patient: patient, index: index } id)
    (map-set patient-record-count patient (+ index u1))
    (map-set envelopes { id: id, holder: patient } owner-envelope)
    (var-set record-count id)
    id))

(define-public (add-record (patient principal) (record-type (string-ascii 32)) (content-hash (buff 32))
                           (locator (string-ascii 256)) (owner-envelope (buff 128)))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (contract-call? .patient-registry is-registered patient) ERR-PATIENT-NOT-REGISTERED)
    (asserts! (may patient tx-sender SCOPE-WRITE record-type) ERR-NOT-AUTHORIZED)
    (let ((id (store-record patient record-type content-hash locator owner-envelope u1 none)))
      (try! (log patient "add-record" id content-hash))
      (if (is-eq tx-sender patient) true (is-ok (tell patient "record-added" id)))
      (ok id))))

;; Small records kept whole on chain: the author writes chunks 0, 1, 2, ... in order, once.
(define-public (put-chunk (record-id uint) (index uint) (data (buff 1024)))
  (let ((r (unwrap! (map-get? records record-id) ERR-RECORD-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender (get author r)) ERR-NOT-AUTHORIZED)
    (asserts! (may (get patient r) tx-sender SCOPE-WRITE (get record-type r)) ERR-NOT-AUTHORIZED)
    (asserts! (< index MAX-CHUNKS) ERR-BAD-CHUNK-INDEX)
    (asserts! (is-eq index (get chunk-count r)) ERR-CHUNK-EXISTS)
    (map-set chunks { id: record-id, index: index } data)
    (map-set records record-id (merge r { chunk-count: (+ index u1) }))
    (try! (log (get patient r) "put-chunk" record-id (sha256 data)))
    (ok true)))

(define-public (amend-record (record-id uint) (content-hash (buff 32)) (locator (string-ascii 256)) (owner-envelope (buff 128)))
  (let ((r (unwrap! (map-get? records record-id) ERR-RECORD-NOT-FOUND))
        (patient (get patient r)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-none (get superseded-by r)) ERR-SUPERSEDED)
    (asserts! (may patient tx-sender SCOPE-WRITE (get record-type r)) ERR-NOT-AUTHORIZED)
    (let ((id (store-record patient (get record-type r) content-hash locator owner-envelope
                            (+ (get version r) u1) (some record-id))))
      (map-set records record-id (merge r { superseded-by: (some id) }))
      (try! (log patient "amend-record" id content-hash))
      (if (is-eq tx-sender patient) true (is-ok (tell patient "record-amended" id)))
      (ok id))))

;; A new holder's envelope: anyone with share scope. Replacing an existing envelope: only
;; its holder, or for the patient's own envelope the patient or a guardian.
(define-public (put-envelope (record-id uint) (holder principal) (envelope (buff 128)))
  (let ((r (unwrap! (map-get? records record-id) ERR-RECORD-NOT-FOUND))
        (patient (get patient r))
        (is-new (is-none (get-envelope record-id holder))))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (may patient tx-sender SCOPE-SHARE (get record-type r)) ERR-NOT-AUTHORIZED)
    (asserts! (may patient holder SCOPE-READ (get record-type r)) ERR-HOLDER-NO-ACCESS)
    (asserts! (or is-new
                  (is-eq tx-sender holder)
                  (and (is-eq holder patient)
                       (contract-call? .patient-registry acts-for patient tx-sender)))
              ERR-ENVELOPE-EXISTS)
    (map-set envelopes { id: record-id, holder: holder } envelope)
    (try! (log patient "put-envelope" record-id (sha256 (unwrap-panic (to-consensus-buff? holder)))))
    (if (is-eq holder tx-sender) true (is-ok (tell holder "key-shared" record-id)))
    ;; The patient hears of every new holder someone else added (a replaced envelope is
    ;; the holder's own business, so a holder cannot flood the patient this way).
    (if (or (is-eq tx-sender patient) (is-eq holder patient) (not is-new)) true (is-ok (tell patient "key-shared" record-id)))
    (ok true)))

;; The closed set of actions a token holder logs; none is an action of the contracts.
(define-read-only (is-logged-action (action (string-ascii 24)))
  (or (is-eq action "view") (is-eq action "download") (is-eq action "print")
      (is-eq action "export") (is-eq action "share-out")))

;; A token holder records that it used record `record-id` of the token's patient. The
;; token must be the caller's live token for that patient, with read scope for the
;; record's type.
(define-public (log-access (token-id uint) (record-id uint) (action (string-ascii 24)))
  (let ((t (unwrap! (contract-call? .access-token-nft get-token token-id) ERR-TOKEN-NOT-FOUND))
        (r (unwrap! (map-get? records record-id) ERR-RECORD-NOT-FOUND))
        (patient (get patient t)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-logged-action action) ERR-BAD-ACTION)
    (asserts! (is-eq (get grantee t) tx-sender) ERR-NOT-AUTHORIZED)
    (asserts! (is-eq (get patient r) patient) ERR-RECORD-MISMATCH)
    (asserts! (is-eq (contract-call? .access-token-nft get-active-token patient tx-sender) (some token-id)) ERR-NO-ACCESS)
    (asserts! (may patient tx-sender SCOPE-READ (get record-type r)) ERR-NO-ACCESS)
    (try! (log patient action record-id (sha256 (unwrap-panic (to-consensus-buff? token-id)))))
    (if (map-insert use-told { token-id: token-id, record-id: record-id } true)
      (is-ok (tell patient "record-viewed" record-id))
      false)
    (ok true)))

;; The author of a record version anchors the hash of the commitments it signed for
;; zero-knowledge claims: once per record id, while the version is current.
(define-public (set-claims-anchor (record-id uint) (anchor (buff 32)))
  (let ((r (unwrap! (map-get? records record-id) ERR-RECORD-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-INDIRECT-CALL)
    (asserts! (is-eq tx-sender (get author r)) ERR-NOT-AUTHORIZED)
    (asserts! (is-none (get superseded-by r)) ERR-SUPERSEDED)
    (asserts! (map-insert claims-anchors record-id { anchor: anchor, anchored-at: block-height }) ERR-ANCHOR-EXISTS)
    (try! (log (get patient r) "claims-anchor" record-id anchor))
    (if (is-eq tx-sender (get patient r)) true (is-ok (tell (get patient r) "claims-anchored" record-id)))
    (ok true)))

(define-read-only (get-record (id uint)) (map-get? records id))
(define-read-only (get-chunk (id uint) (index uint)) (map-get? chunks { id: id, index: index }))
(define-read-only (get-envelope (id uint) (holder principal)) (map-get? envelopes { id: id, holder: holder }))
(define-read-only (get-patient-record-count (p principal)) (default-to u0 (map-get? patient-record-count p)))
(define-read-only (get-patient-record-id (p principal) (index uint)) (map-get? patient-records { patient: p, index: index }))
(define-read-only (get-record-count) (var-get record-count))
(define-read-only (get-claims-anchor (record-id uint)) (map-get? claims-anchors record-id))
