;; A counter with a per-caller map, a print event, and a function that fails after writing.
(define-data-var total uint u0)
(define-map bumps principal uint)

(define-public (bump (by uint))
  (begin
    (var-set total (+ (var-get total) by))
    (map-set bumps tx-sender (+ by (default-to u0 (map-get? bumps tx-sender))))
    (print { event: "bumped", by: by, who: tx-sender })
    (ok (var-get total))))

;; Writes, prints, then returns err: on chain all of it is rolled back.
(define-public (bump-then-fail (by uint))
  (begin
    (var-set total (+ (var-get total) by))
    (print "should not survive")
    (err u7)))

(define-read-only (get-total) (var-get total))
(define-read-only (get-bumps (who principal)) (map-get? bumps who))

(define-private (double (n uint)) (* n u2))
(define-private (reset) (begin (var-set total u0) (ok true)))

;; Grants that expire by block height.
(define-map grants principal uint)
(define-public (grant (who principal) (blocks uint))
  (ok (map-set grants who (+ block-height blocks))))
(define-read-only (has-grant (who principal))
  (match (map-get? grants who) until (< block-height until) false))

;; Block facts, for checking per-block answers.
(define-read-only (block-facts (h uint))
  { time: (get-block-info? time h), id: (get-block-info? id-header-hash h), burn: burn-block-height, now: block-height })
(define-read-only (total-at (id (buff 32))) (at-block id (var-get total)))
