#!/usr/bin/env python3
"""Opens the record-format vectors with an implementation independent of the Rust code.

Usage: check_record_format.py record-format.json

It follows only the layout documented in crates/ehr-sdk/src/crypto.rs and uses the
`cryptography` package (secp256k1 ECDH, HKDF-SHA256, ChaCha20-Poly1305):

  envelope = 0x01 | ephemeral compressed pubkey (33) | wrapped key (32) | tag (16)
      key, nonce = HKDF-SHA256(ikm = ECDH x, salt = ephemeral | recipient pubkey,
                               info = "ehr/envelope/v1") -> 32 + 12 bytes
  sealed   = 0x02 | key commitment (32) | nonce (12) | ciphertext | tag (16)
      cipher key     = HKDF-Expand-SHA256(prk = data key, info = "ehr/record/key/v2")
      key commitment = HKDF-Expand-SHA256(prk = data key, info = "ehr/record/commit/v2")
      AAD = "ehr/record/v2" | patient | 0x00 | record type
Exits 1 naming the first case that does not open to its plaintext.
"""
import hashlib
import json
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand


def unwrap(envelope: bytes, secret: bytes) -> bytes:
    assert len(envelope) == 82 and envelope[0] == 1, "envelope layout"
    ephemeral = envelope[1:34]
    holder = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256K1())
    recipient = holder.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), ephemeral)
    shared_x = holder.exchange(ec.ECDH(), peer)
    okm = HKDF(hashes.SHA256(), 44, salt=ephemeral + recipient, info=b"ehr/envelope/v1").derive(shared_x)
    return ChaCha20Poly1305(okm[:32]).decrypt(okm[32:], envelope[34:], None)


def open_sealed(sealed: bytes, data_key: bytes, patient: str, record_type: str) -> bytes:
    assert sealed[0] == 2, "record version"
    cipher_key = HKDFExpand(hashes.SHA256(), 32, b"ehr/record/key/v2").derive(data_key)
    commitment = HKDFExpand(hashes.SHA256(), 32, b"ehr/record/commit/v2").derive(data_key)
    assert sealed[1:33] == commitment, "key commitment"
    aad = b"ehr/record/v2" + patient.encode() + b"\x00" + record_type.encode()
    return ChaCha20Poly1305(cipher_key).decrypt(sealed[33:45], sealed[45:], aad)


def main() -> int:
    doc = json.load(open(sys.argv[1]))
    for case in doc["cases"]:
        sealed = bytes.fromhex(case["sealed"])
        try:
            assert hashlib.sha256(sealed).hexdigest() == case["content_hash"], "content hash"
            secret = bytes.fromhex(case["holder_secret_key"])[:32]
            key = unwrap(bytes.fromhex(case["envelope"]), secret)
            plain = open_sealed(sealed, key, case["patient"], case["record_type"])
            assert plain == bytes.fromhex(case["plaintext"]), "plaintext"
        except Exception as e:  # noqa: BLE001 - any failure names the case
            print(f"{case['name']}: does not open: {e!r}")
            return 1
    print(f"{len(doc['cases'])} cases opened")
    return 0


if __name__ == "__main__":
    sys.exit(main())
