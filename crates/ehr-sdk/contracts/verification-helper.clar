;; verification-helper: the exact encodings any client uses to build proofs, as read-only
;; functions. Selective disclosure here is salted hash commitments and Merkle inclusion
;; proofs, not zero-knowledge proofs: a verifier learns the disclosed field and nothing
;; else, but the field itself is revealed.
;;
;; Encodings (also in README):
;;   commitment  = sha256(salt ++ value)
;;   Merkle leaf = sha256(0x00 ++ salt ++ field)      (verify-merkle-proof hashes it itself)
;;   inner node  = sha256(0x01 ++ left ++ right)      (RFC 6962 domain separation)
;;   positions[i] is true when proof[i] is the LEFT sibling at level i.
;;   attestation = sha256(to-consensus-buff? {doctor, license-hash, expires-at, issuer,
;;                        chain-id, contract}), contract = this deployer's doctor-registry

(define-read-only (leaf-hash (salt (buff 32)) (field (buff 512)))
  (sha256 (concat (concat 0x00 salt) field)))

(define-read-only (node-hash (left (buff 32)) (right (buff 32)))
  (sha256 (concat (concat 0x01 left) right)))

(define-private (pair-step (sibling (buff 32)) (sibling-is-left bool))
  { sibling: sibling, left: sibling-is-left })

(define-private (climb (step { sibling: (buff 32), left: bool }) (acc (buff 32)))
  (if (get left step)
      (node-hash (get sibling step) acc)
      (node-hash acc (get sibling step))))

;; The leaf is hashed here from (salt, field), so no inner node or root can pass as a leaf.
;; At most 32 levels: the fold is bounded by the list type.
(define-read-only (verify-merkle-proof (salt (buff 32)) (field (buff 512)) (proof (list 32 (buff 32))) (positions (list 32 bool)) (root (buff 32)))
  (and
    (is-eq (len proof) (len positions))
    (is-eq (fold climb (map pair-step proof positions) (leaf-hash salt field)) root)))

(define-read-only (verify-commitment (commitment (buff 32)) (salt (buff 32)) (value (buff 512)))
  (is-eq commitment (sha256 (concat salt value))))

;; signature: 65 bytes, r ++ s ++ recovery id (the order secp256k1-verify takes), low-S.
(define-read-only (verify-signature (message-hash (buff 32)) (signature (buff 65)) (pubkey (buff 33)))
  (secp256k1-verify message-hash signature pubkey))

;; What an issuer signs for `doctor`: bound to the issuer, this chain and this deployment's
;; doctor-registry, so the signature verifies nowhere else.
(define-read-only (attestation-hash (doctor principal) (license-hash (buff 32)) (expires-at uint) (issuer principal))
  (sha256 (unwrap-panic (to-consensus-buff? {
    doctor: doctor, license-hash: license-hash, expires-at: expires-at, issuer: issuer,
    chain-id: chain-id, contract: .doctor-registry }))))
