;; Rendezvous invariants for permission-manager (appended by `rv` only; never deployed),
;; run against the registry test doubles of Clarinet-permission-manager.toml: every account
;; a patient, wallet_2..4 verified doctors, wallet_2 also the guardian of the faucet
;; account (which rv never sends as).

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
(define-constant FUZZ-WARD 'STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6)
(define-constant FUZZ-GUARDIAN 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG)
;; Token ids checked (rv mints far fewer in a run).
(define-constant FUZZ-TOKEN-IDS (list u1 u2 u3 u4 u5 u6 u7 u8 u9 u10 u11 u12 u13 u14 u15 u16
  u17 u18 u19 u20 u21 u22 u23 u24 u25 u26 u27 u28 u29 u30 u31 u32 u33 u34 u35 u36 u37 u38
  u39 u40 u41 u42 u43 u44 u45 u46 u47 u48 u49 u50 u51 u52 u53 u54 u55 u56 u57 u58 u59 u60))

;; A revoked or expired token gives nothing: it is no longer its pair's live token (or the
;; pair has no read access through it), and a revoked one has been burnt.
(define-private (fuzz-dead-token-ok (id uint) (good bool))
  (and good
    (match (contract-call? .access-token-nft get-token id)
      t (let ((dead (or (get revoked t) (>= block-height (get expires-at t))))
              (live (contract-call? .access-token-nft get-active-token (get patient t) (get grantee t))))
          (and
            (or (not (get revoked t))
                (and (not (is-eq live (some id)))
                     (is-none (unwrap-panic (contract-call? .access-token-nft get-owner id)))))
            ;; (a guardian reads through acts-for, not through a token: not counted)
            (or (not dead)
                (not (is-eq live (some id)))
                (contract-call? .patient-registry acts-for (get patient t) (get grantee t))
                (not (has-access (get patient t) (get grantee t) u1 none)))))
      true)))

(define-read-only (invariant-no-access-after-revoke-or-expiry)
  (fold fuzz-dead-token-ok FUZZ-TOKEN-IDS true))

;; Emergency access is read-only and short.
(define-private (fuzz-emergency-ok (id uint) (good bool))
  (and good
    (match (contract-call? .access-token-nft get-token id)
      t (or (not (get emergency t))
            (and (is-eq (get scope t) SCOPE-READ)
                 (<= (get expires-at t) (+ (get issued-at t) EMERGENCY-BLOCKS))))
      true)))

(define-read-only (invariant-emergency-is-read-only-and-short)
  (fold fuzz-emergency-ok FUZZ-TOKEN-IDS true))

;; Acting for a patient never benefits the actor: the ward never sends, so a token from
;; the ward to its guardian can only come from the guardian granting itself or approving
;; its own request.
(define-private (fuzz-no-self-benefit (id uint) (good bool))
  (and good
    (match (contract-call? .access-token-nft get-token id)
      t (not (and (is-eq (get patient t) FUZZ-WARD) (is-eq (get grantee t) FUZZ-GUARDIAN)
                  (not (get emergency t))))
      true)))

(define-read-only (invariant-a-guardian-never-grants-itself)
  (fold fuzz-no-self-benefit FUZZ-TOKEN-IDS true))

;; Scopes stay within the three defined bits and are never empty.
(define-private (fuzz-scope-ok (id uint) (good bool))
  (and good
    (match (contract-call? .access-token-nft get-token id)
      t (and (>= (get scope t) u1) (<= (get scope t) SCOPE-ALL))
      true)))

(define-read-only (invariant-scopes-are-valid)
  (fold fuzz-scope-ok FUZZ-TOKEN-IDS true))

;; Fuzz-friendly entry points: random uints are almost never a valid scope (u1-u7), a near
;; expiry or an existing id, so these map them into range before calling the real
;; functions (same contract: tx-sender and contract-caller are rv's caller, unchanged).
(define-private (fuzz-scope (n uint)) (+ u1 (mod n u7)))
(define-private (fuzz-expiry (n uint)) (+ block-height u1 (mod n u300)))
(define-private (fuzz-token (n uint))
  (+ u1 (mod n (+ u1 (unwrap-panic (contract-call? .access-token-nft get-last-token-id))))))
(define-private (fuzz-request (n uint)) (+ u1 (mod n (+ u1 (var-get request-count)))))

(define-public (fuzz-grant (grantee principal) (scope uint) (expiry uint))
  (grant-access grantee (fuzz-scope scope) none (fuzz-expiry expiry)))
(define-public (fuzz-grant-for (patient principal) (grantee principal) (scope uint) (expiry uint))
  (grant-access-for patient grantee (fuzz-scope scope) none (fuzz-expiry expiry)))
(define-public (fuzz-create-token-for (patient principal) (scope uint) (expiry uint))
  (create-token-for patient (fuzz-scope scope) none (fuzz-expiry expiry)))
(define-public (fuzz-request-access (patient principal) (scope uint) (duration uint))
  (request-access patient (fuzz-scope scope) (+ u1 (mod duration u300)) u"fuzz"))
(define-public (fuzz-approve (request uint)) (approve-request (fuzz-request request)))
(define-public (fuzz-deny (request uint)) (deny-request (fuzz-request request)))
(define-public (fuzz-revoke (token uint)) (revoke-access (fuzz-token token)))
