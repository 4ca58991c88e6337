;; notification-system: a per-recipient inbox with an unread count. Only the EHR
;; contracts may notify (checked on contract-caller); every notification is also printed
;; as {event: "notification", kind, recipient, ref, index} so off-chain watchers can push it.
;;
;; An inbox is no free broadcast channel (v2): a recipient mutes an account with set-muted,
;; and notifications caused by that account (the transaction's sender) are dropped, neither
;; stored nor printed (the audit log still has every act). Emergency access is never muted.
;; notify answers whether it stored.

(define-constant ERR-NOT-AUTHORIZED (err u700))
(define-constant ERR-NOT-FOUND (err u701))
(define-constant ERR-ALREADY-READ (err u702))

(define-map inbox-count principal uint)
(define-map unread principal uint)
(define-map muted { recipient: principal, actor: principal } bool)
(define-map notifications { recipient: principal, index: uint } {
  kind: (string-ascii 24),
  ref: uint,
  actor: principal,
  source: principal,
  block: uint,
  read: bool
})

(define-read-only (is-ehr-contract (caller principal))
  (or (is-eq caller .patient-registry)
      (is-eq caller .doctor-registry)
      (is-eq caller .ehr-storage)
      (is-eq caller .access-token-nft)
      (is-eq caller .permission-manager)))

(define-public (notify (recipient principal) (kind (string-ascii 24)) (ref uint))
  (let ((index (default-to u0 (map-get? inbox-count recipient))))
    (asserts! (is-ehr-contract contract-caller) ERR-NOT-AUTHORIZED)
    (asserts! (or (is-eq kind "emergency-access") (not (is-muted recipient tx-sender))) (ok false))
    (map-set notifications { recipient: recipient, index: index }
      { kind: kind, ref: ref, actor: tx-sender, source: contract-caller, block: block-height, read: false })
    (map-set inbox-count recipient (+ index u1))
    (map-set unread recipient (+ (get-unread-count recipient) u1))
    (print { event: "notification", kind: kind, recipient: recipient, ref: ref, index: index })
    (ok true)))

;; The caller mutes (or unmutes) notifications caused by `actor`, by calling directly.
(define-public (set-muted (actor principal) (mute bool))
  (begin
    (asserts! (is-eq tx-sender contract-caller) ERR-NOT-AUTHORIZED)
    (if mute
      (map-set muted { recipient: tx-sender, actor: actor } true)
      (map-delete muted { recipient: tx-sender, actor: actor }))
    (ok true)))

;; The recipient marks one of its own notifications read, by calling directly.
(define-public (mark-read (index uint))
  (let ((n (unwrap! (map-get? notifications { recipient: tx-sender, index: index }) ERR-NOT-FOUND)))
    (asserts! (is-eq tx-sender contract-caller) ERR-NOT-AUTHORIZED)
    (asserts! (not (get read n)) ERR-ALREADY-READ)
    (map-set notifications { recipient: tx-sender, index: index } (merge n { read: true }))
    (map-set unread tx-sender (- (get-unread-count tx-sender) u1))
    (ok true)))

(define-read-only (get-notification (recipient principal) (index uint))
  (map-get? notifications { recipient: recipient, index: index }))
(define-read-only (get-notification-count (p principal)) (default-to u0 (map-get? inbox-count p)))
(define-read-only (get-unread-count (p principal)) (default-to u0 (map-get? unread p)))
(define-read-only (is-muted (recipient principal) (actor principal))
  (default-to false (map-get? muted { recipient: recipient, actor: actor })))
