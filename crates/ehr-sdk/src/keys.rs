//! Keys and addresses: BIP39 mnemonics, the Stacks derivation path, secp256k1 secret keys
//! in the form Stacks tools exchange them, and c32check addresses.
//!
//! A Stacks wallet derives account `i` at `m/44'/5757'/0'/0/i` from the BIP39 seed of its
//! mnemonic (empty passphrase). Secret keys are written as 32 bytes of hex followed by
//! `01`, the flag that says the public key is used compressed; the address is the c32check
//! encoding of hash160 of that compressed public key. The same 32 bytes without the flag
//! mean an *uncompressed* public key (65 bytes), as in stacks.js and stacks-core
//! (`Secp256k1PrivateKey::from_slice`): another address, and signatures whose spending
//! condition says "uncompressed".

use std::fmt;
use std::str::FromStr;

use bip32::{DerivationPath, XPrv};
use clarity::vm::types::{PrincipalData, StandardPrincipalData};
use stacks_common::types::chainstate::{StacksAddress, StacksPublicKey};
use stacks_common::util::secp256k1::{Secp256k1PrivateKey, Secp256k1PublicKey};
use zeroize::Zeroizing;

use crate::network::Network;

/// Why a key or mnemonic was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The mnemonic is not a valid BIP39 English phrase.
    #[error("invalid mnemonic: {0}")]
    Mnemonic(String),
    /// The text is not hex.
    #[error("secret key is not hex: {0}")]
    Hex(String),
    /// The key has the wrong length.
    #[error(
        "secret key must be 33 bytes ending in 01 (compressed public key) or 32 bytes \
         (uncompressed public key), got {0} bytes"
    )]
    Length(usize),
    /// A 33-byte key whose last byte is not the compressed flag.
    #[error("a 33-byte secret key must end in 01 (the compressed-public-key flag)")]
    CompressionFlag,
    /// The 32 bytes are not a valid secp256k1 scalar (zero or past the curve order).
    #[error("secret key is not a valid secp256k1 scalar")]
    Scalar,
    /// Derivation failed.
    #[error("key derivation failed: {0}")]
    Derivation(String),
    /// The text is not a Stacks address.
    #[error("invalid Stacks address `{0}`")]
    Address(String),
}

/// A secp256k1 secret key, with how its public key is used: compressed (every key a
/// Stacks wallet derives, written with the `01` suffix) or uncompressed (32 bytes without
/// it). Its bytes never appear in `Debug` or `Display`, and are wiped on drop.
#[derive(Clone)]
pub struct SecretKey {
    bytes: Zeroizing<[u8; 32]>,
    compressed: bool,
}

impl SecretKey {
    /// Reads a key from its hex form: 66 hex digits ending in `01` (compressed public key,
    /// as Clarinet, wallets and stacks-cli write them), or 64 (uncompressed public key, as
    /// stacks.js and stacks-core read them). Surrounding whitespace and a `0x` are allowed.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let text = text.strip_prefix("0x").unwrap_or(text);
        let bytes = Zeroizing::new(hex::decode(text).map_err(|e| KeyError::Hex(e.to_string()))?);
        Self::from_bytes(&bytes)
    }

    /// Reads a key from 33 bytes ending in the compressed flag `0x01` (compressed public
    /// key), or 32 bytes (uncompressed public key).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let (body, compressed) = match bytes.len() {
            32 => (bytes, false),
            33 if bytes[32] == 1 => (&bytes[..32], true),
            33 => return Err(KeyError::CompressionFlag),
            n => return Err(KeyError::Length(n)),
        };
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(body);
        Secp256k1PrivateKey::from_slice(&out[..]).map_err(|_| KeyError::Scalar)?;
        Ok(SecretKey {
            bytes: out,
            compressed,
        })
    }

    /// Derives account `index` of a BIP39 mnemonic (empty passphrase) at
    /// `m/44'/5757'/0'/0/index`; its public key is used compressed, as wallets do.
    pub fn from_mnemonic(mnemonic: &str, index: u32) -> Result<Self, KeyError> {
        let normalized = mnemonic.split_whitespace().collect::<Vec<_>>().join(" ");
        let phrase = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalized)
            .map_err(|e| KeyError::Mnemonic(e.to_string()))?;
        let seed = Zeroizing::new(phrase.to_seed(""));
        let path = DerivationPath::from_str(&format!("m/44'/5757'/0'/0/{index}"))
            .map_err(|e| KeyError::Derivation(e.to_string()))?;
        let xprv = XPrv::derive_from_path(&seed[..], &path)
            .map_err(|e| KeyError::Derivation(e.to_string()))?;
        let mut bytes = Zeroizing::new([0u8; 33]);
        bytes[..32].copy_from_slice(&xprv.private_key().to_bytes());
        bytes[32] = 1;
        Self::from_bytes(&bytes[..])
    }

    /// True when the public key is used compressed (the key was written with `01`).
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// The 32 secret bytes. Handle with care: never log them.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The key in the form it was read, as Stacks tools exchange it: 64 hex digits, then
    /// `01` when the public key is used compressed. Never log it.
    pub fn expose_hex(&self) -> Zeroizing<String> {
        let flag = if self.compressed { "01" } else { "" };
        Zeroizing::new(format!("{}{flag}", hex::encode(&self.bytes[..])))
    }

    /// The key as stacks-common's type, flagged compressed or not (for signing).
    pub fn to_stacks(&self) -> Secp256k1PrivateKey {
        let mut key = Secp256k1PrivateKey::from_slice(&self.bytes[..])
            .unwrap_or_else(|_| unreachable!("validated when the SecretKey was made"));
        key.set_compress_public(self.compressed);
        key
    }

    /// The public key, used compressed or uncompressed as this key is.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(Secp256k1PublicKey::from_private(&self.to_stacks()))
    }

    /// The single-signature (P2PKH) address of this key on `network`.
    pub fn address(&self, network: Network) -> Address {
        self.public_key().address(network)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A secp256k1 public key and how its address uses it: compressed (33 bytes, every wallet
/// key) or uncompressed (65 bytes, a secret key written without `01`). Encryption to it
/// always uses the 33-byte compressed form ([`PublicKey::to_bytes`]).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(Secp256k1PublicKey);

impl PublicKey {
    /// Reads a 33-byte compressed public key (as the registries store `enc-pubkey`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() != 33 {
            return Err(KeyError::Length(bytes.len()));
        }
        Secp256k1PublicKey::from_slice(bytes)
            .map(PublicKey)
            .map_err(|_| KeyError::Scalar)
    }

    /// The 33 compressed bytes (what the registries store as `enc-pubkey`), whichever way
    /// the address uses the key.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out.copy_from_slice(&self.0.to_bytes_compressed());
        out
    }

    /// True when the address and signatures use the key compressed.
    pub fn is_compressed(&self) -> bool {
        self.0.compressed()
    }

    /// The key as its address hashes it (and as stacks.js `privateKeyToPublic` writes it):
    /// 33 bytes compressed, or 65 bytes (`04`, x, y) uncompressed.
    pub fn to_encoded_bytes(&self) -> Vec<u8> {
        stacks_common::types::PublicKey::to_bytes(&self.0)
    }

    /// The single-signature (P2PKH) address of this key on `network`: hash160 of
    /// [`PublicKey::to_encoded_bytes`].
    pub fn address(&self, network: Network) -> Address {
        Address(StacksAddress::p2pkh(
            network.is_mainnet(),
            &StacksPublicKey::from(self.0),
        ))
    }

    /// The key as stacks-common's type.
    pub fn to_stacks(&self) -> Secp256k1PublicKey {
        self.0
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.to_bytes()))
    }
}

/// A standard Stacks address (`SP...` / `ST...`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Address(StacksAddress);

impl Address {
    /// The address as stacks-common's type.
    pub fn as_stacks(&self) -> &StacksAddress {
        &self.0
    }

    /// The address as a Clarity principal.
    pub fn to_principal(&self) -> PrincipalData {
        PrincipalData::Standard(self.to_standard_principal())
    }

    /// The address as a standard Clarity principal.
    pub fn to_standard_principal(&self) -> StandardPrincipalData {
        StandardPrincipalData::from(self.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.0)
    }
}

impl FromStr for Address {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match PrincipalData::parse_standard_principal(s.trim().trim_start_matches('\'')) {
            Ok(p) => Ok(Address(StacksAddress::from(p))),
            Err(_) => Err(KeyError::Address(s.to_string())),
        }
    }
}

/// A named account: a key and its address on one network.
#[derive(Clone, Debug)]
pub struct Account {
    /// Name, e.g. `deployer` or `wallet_1`.
    pub name: String,
    /// Its secret key.
    pub secret_key: SecretKey,
    /// Its address on the network it was made for.
    pub address: Address,
}

impl Account {
    /// The account of `secret_key` on `network`.
    pub fn new(name: impl Into<String>, secret_key: SecretKey, network: Network) -> Self {
        let address = secret_key.address(network);
        Account {
            name: name.into(),
            secret_key,
            address,
        }
    }

    /// The account's address as a Clarity principal.
    pub fn principal(&self) -> PrincipalData {
        self.address.to_principal()
    }
}
