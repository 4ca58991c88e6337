;; Rendezvous invariants for notification-system (appended by `rv` only; never deployed).
;; rv calls notify, set-muted and mark-read as random devnet accounts: an account is never
;; an EHR contract, so an inbox is no free broadcast channel.

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

(define-private (fuzz-inbox (p principal) (n uint)) (+ n (get-notification-count p)))
(define-private (fuzz-unread-ok (p principal) (good bool))
  (and good (<= (get-unread-count p) (get-notification-count p))))

;; Nobody but the EHR contracts puts anything in an inbox.
(define-read-only (invariant-no-notification-without-a-cause)
  (is-eq (fold fuzz-inbox FUZZ-ACCOUNTS u0) u0))

;; Unread never exceeds what was received.
(define-read-only (invariant-unread-within-inbox)
  (fold fuzz-unread-ok FUZZ-ACCOUNTS true))
