//! Every devnet account of ../shared/reference/devnet-accounts.md derives, from its
//! mnemonic, exactly the published secret key and testnet address; both Devnet.toml files
//! hold those accounts.

use std::path::Path;

use ehr_sdk::devnet_config::DevnetConfig;
use ehr_sdk::keys::{Address, KeyError, SecretKey};
use ehr_sdk::network::Network;

/// (name, mnemonic, secret key, testnet address), from devnet-accounts.md.
const ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    ("deployer", "twice kind fence tip hidden tilt action fragile skin nothing glory cousin green tomorrow spring wrist shed math olympic multiply hip blue scout claw", "753b7cc01a1a2e86221266a154af739463fce51219d97e4f856cd7200c3bd2a601", "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM"),
    ("wallet_1", "sell invite acquire kitten bamboo drastic jelly vivid peace spawn twice guilt pave pen trash pretty park cube fragile unaware remain midnight betray rebuild", "7287ba251d44a4d3fd9276c88ce34c5c52a038955511cccaf77e61068649c17801", "ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5"),
    ("wallet_2", "hold excess usual excess ring elephant install account glad dry fragile donkey gaze humble truck breeze nation gasp vacuum limb head keep delay hospital", "530d9f61984c888536871c6573073bdfc0058896dc1adfe9a6a10dfacadc209101", "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG"),
    ("wallet_3", "cycle puppy glare enroll cost improve round trend wrist mushroom scorpion tower claim oppose clever elephant dinosaur eight problem before frozen dune wagon high", "d655b2523bcd65e34889725c73064feb17ceb796831c0e111ba1a552b0f31b3901", "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC"),
    ("wallet_4", "board list obtain sugar hour worth raven scout denial thunder horse logic fury scorpion fold genuine phrase wealth news aim below celery when cabin", "f9d7206a47f14d2870c163ebab4bf3e70d18f5d14ce1031f3902fbbc894fe4c701", "ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND"),
    ("wallet_5", "hurry aunt blame peanut heavy update captain human rice crime juice adult scale device promote vast project quiz unit note reform update climb purchase", "3eccc5dac8056590432db6a35d52b9896876a3d5cbdea53b72400bc9c2099fe801", "ST2REHHS5J3CERCRBEPMGH7921Q6PYKAADT7JP2VB"),
    ("wallet_6", "area desk dutch sign gold cricket dawn toward giggle vibrant indoor bench warfare wagon number tiny universe sand talk dilemma pottery bone trap buddy", "7036b29cb5e235e5fd9b09ae3e8eec4404e44906814d5d01cbca968a60ed4bfb01", "ST3AM1A56AK2C1XAFJ4115ZSV26EB49BVQ10MGCS0"),
    ("wallet_7", "prevent gallery kind limb income control noise together echo rival record wedding sense uncover school version force bleak nuclear include danger skirt enact arrow", "b463f0df6c05d2f156393eee73f8016c5372caa0e9e29a901bb7171d90dc4f1401", "ST3PF13W7Z0RRM42A8VZRVFQ75SV1K26RXEP8YGKJ"),
    ("wallet_8", "female adjust gallery certain visit token during great side clown fitness like hurt clip knife warm bench start reunion globe detail dream depend fortune", "6a1a754ba863d7bab14adbbc3f8ebb090af9e871ace621d3e5ab634e1422885e01", "ST3NBRSFKX28FQ2ZJ1MAKX58HKHSDGNV5N7R21XCP"),
    ("faucet", "shadow private easily thought say logic fault paddle word top book during ignore notable orange flight clock image wealth health outside kitten belt reform", "de433bdfa14ec43aa1098d5be594c8ffb20a31485ff9de2923b2689471c401b801", "STNHKEPYEPJ8ET55ZZ0M5A34J0R3N5FM2CMMMAZ6"),
];

#[test]
fn mnemonics_derive_the_published_keys_and_addresses() {
    for (name, mnemonic, secret, address) in ACCOUNTS {
        let key = SecretKey::from_mnemonic(mnemonic, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.expose_hex().as_str(), *secret, "{name} secret key");
        assert_eq!(
            key.address(Network::Testnet).to_string(),
            *address,
            "{name} address"
        );
        assert_eq!(
            key.address(Network::Devnet).to_string(),
            *address,
            "{name} devnet = testnet"
        );
        let from_hex = SecretKey::from_hex(secret).unwrap();
        assert_eq!(from_hex.address(Network::Testnet).to_string(), *address);
        let mainnet = key.address(Network::Mainnet).to_string();
        assert!(mainnet.starts_with("SP"), "{name}: {mainnet}");
        // Same hash160, other version byte.
        assert_eq!(
            key.address(Network::Mainnet).as_stacks().bytes,
            key.address(Network::Testnet).as_stacks().bytes
        );
    }
}

#[test]
fn addresses_parse_and_round_trip() {
    for (_, _, _, address) in ACCOUNTS {
        let parsed: Address = address.parse().unwrap();
        assert_eq!(parsed.to_string(), *address);
        assert_eq!(parsed.to_principal().to_string(), *address);
    }
    assert!(matches!(
        "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGN".parse::<Address>(),
        Err(KeyError::Address(_))
    ));
}

#[test]
fn secret_keys_never_print_and_bad_keys_say_why() {
    let key = SecretKey::from_hex(ACCOUNTS[0].2).unwrap();
    assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    assert!(!format!("{key:?}").contains(&ACCOUNTS[0].2[..10]));
    assert!(matches!(SecretKey::from_hex("zz"), Err(KeyError::Hex(_))));
    assert!(matches!(
        SecretKey::from_hex("00ff"),
        Err(KeyError::Length(2))
    ));
    let flagged = format!("{}02", &ACCOUNTS[0].2[..64]);
    assert_eq!(
        SecretKey::from_hex(&flagged).unwrap_err(),
        KeyError::CompressionFlag
    );
    assert_eq!(
        SecretKey::from_hex(&"00".repeat(32)).unwrap_err(),
        KeyError::Scalar
    );
    assert!(matches!(
        SecretKey::from_mnemonic("not a real mnemonic at all", 0),
        Err(KeyError::Mnemonic(_))
    ));
    // 32 bytes without the flag: an uncompressed public key, as in stacks.js and
    // stacks-core, hence another account (tests/stacksjs_disagreements.rs has its address).
    let bare = SecretKey::from_hex(&ACCOUNTS[0].2[..64]).unwrap();
    assert!(!bare.is_compressed());
    assert_ne!(bare.address(Network::Testnet).to_string(), ACCOUNTS[0].3);
}

#[test]
fn other_derivation_indexes_give_other_accounts() {
    let a = SecretKey::from_mnemonic(ACCOUNTS[0].1, 0).unwrap();
    let b = SecretKey::from_mnemonic(ACCOUNTS[0].1, 1).unwrap();
    assert_ne!(a.address(Network::Testnet), b.address(Network::Testnet));
}

fn check_settings(label: &str, config: &DevnetConfig) {
    assert_eq!(config.accounts.len(), ACCOUNTS.len(), "{label}");
    assert_eq!(config.accounts[0].account.name, "deployer");
    for (name, _, secret, address) in ACCOUNTS {
        let account = config
            .account(name)
            .unwrap_or_else(|| panic!("{label}: no {name}"));
        assert_eq!(account.address.to_string(), *address);
        assert_eq!(account.secret_key.expose_hex().as_str(), *secret);
        let genesis = config
            .accounts
            .iter()
            .find(|g| g.account.name == *name)
            .unwrap();
        assert_eq!(genesis.balance, 100_000_000_000_000);
    }
}

/// The built-in Devnet.toml and the Clarinet project's settings hold the same accounts.
#[test]
fn both_devnet_files_hold_the_accounts() {
    let builtin = DevnetConfig::builtin().unwrap_or_else(|e| panic!("{e}"));
    check_settings("the built-in Devnet.toml", &builtin);
    let clarinet =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/settings/Devnet.toml");
    check_settings(
        "contracts/settings/Devnet.toml",
        &DevnetConfig::load(&clarinet).unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(builtin.node.rpc_port, 20443);
    assert_eq!(builtin.node.epoch, "2.4");
}

#[test]
fn a_bad_settings_file_names_the_file_and_the_problem() {
    let path = Path::new("Devnet.toml");
    let err = DevnetConfig::parse("[accounts.x]\nmnemonic = \"nope nope\"\n", path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Devnet.toml: account `x`: invalid mnemonic"),
        "{err}"
    );
    let err = DevnetConfig::parse("[accounts.x]\nbalance = 5\n", path).unwrap_err();
    assert!(err.to_string().contains("mnemonic"), "{err}");
    let err = DevnetConfig::load(Path::new("/nonexistent/Devnet.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/Devnet.toml: cannot read"),
        "{err}"
    );
}
