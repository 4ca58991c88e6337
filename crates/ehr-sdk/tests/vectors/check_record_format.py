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
  sealed   = 0x03 | key commitment (32) | nonce prefix (7) | segment 0 | ... | segment n-1
      (crates/ehr-sdk/src/crypto/stream.rs: STREAM over ChaCha20-Poly1305)
      cipher key, key commitment as for 0x02 with the labels ".../v3"
      segment i = ciphertext of plaintext chunk i (65536 bytes, the last 0..65536) | tag (16)
      nonce i   = nonce prefix | i (4 bytes big-endian) | 0x01 for the last segment, else 0x00
      AAD = "ehr/record/v3" | patient | 0x00 | record type
  For version 3 it also checks that the stream cut after its first segment, or with its
  first two segments swapped, does not open.
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


CHUNK_LEN = 65536
SEGMENT_LEN = CHUNK_LEN + 16


def open_stream(sealed: bytes, data_key: bytes, patient: str, record_type: str) -> bytes:
    assert sealed[0] == 3, "record version"
    cipher_key = HKDFExpand(hashes.SHA256(), 32, b"ehr/record/key/v3").derive(data_key)
    commitment = HKDFExpand(hashes.SHA256(), 32, b"ehr/record/commit/v3").derive(data_key)
    assert sealed[1:33] == commitment, "key commitment"
    prefix = sealed[33:40]
    body = sealed[40:]
    assert body, "no segment"
    segments = [body[i : i + SEGMENT_LEN] for i in range(0, len(body), SEGMENT_LEN)]
    aad = b"ehr/record/v3" + patient.encode() + b"\x00" + record_type.encode()
    cipher = ChaCha20Poly1305(cipher_key)
    plain = b""
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        nonce = prefix + i.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        plain += cipher.decrypt(nonce, segment, aad)
    return plain


def refuses(sealed: bytes, key: bytes, case: dict) -> bool:
    try:
        open_stream(sealed, key, case["patient"], case["record_type"])
    except Exception:  # noqa: BLE001 - any refusal will do
        return True
    return False


def check_stream(sealed: bytes, key: bytes, case: dict) -> None:
    plain = open_stream(sealed, key, case["patient"], case["record_type"])
    assert len(plain) == case["plaintext_len"], "plaintext length"
    assert hashlib.sha256(plain).hexdigest() == case["plaintext_sha256"], "plaintext"
    if len(sealed) > 40 + SEGMENT_LEN:
        first = sealed[40 : 40 + SEGMENT_LEN]
        rest = sealed[40 + SEGMENT_LEN :]
        assert refuses(sealed[: 40 + SEGMENT_LEN], key, case), "a truncated stream opened"
        assert refuses(sealed[:40] + rest + first, key, case), "a reordered stream opened"


def main() -> int:
    doc = json.load(open(sys.argv[1]))
    for case in doc["cases"]:
        sealed = bytes.fromhex(case["sealed"])
        try:
            assert hashlib.sha256(sealed).hexdigest() == case["content_hash"], "content hash"
            secret = bytes.fromhex(case["holder_secret_key"])[:32]
            key = unwrap(bytes.fromhex(case["envelope"]), secret)
            if sealed[0] == 3:
                assert doc["chunk_len"] == CHUNK_LEN, "chunk length"
                check_stream(sealed, key, case)
            else:
                plain = open_sealed(sealed, key, case["patient"], case["record_type"])
                assert plain == bytes.fromhex(case["plaintext"]), "plaintext"
        except Exception as e:  # noqa: BLE001 - any failure names the case
            print(f"{case['name']}: does not open: {e!r}")
            return 1
    print(f"{len(doc['cases'])} cases opened")
    return 0


if __name__ == "__main__":
    sys.exit(main())
