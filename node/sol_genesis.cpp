#include "node/sol_genesis.hpp"

#include <sodium.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "common/hash.hpp"
#include "svm/loader_upgradeable.hpp"
#include "svm/syscalls.hpp"

namespace lumio::node {
namespace {

using exec::svm_pubkey;
using exec::SvmAccountData;

void put_u32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}

}  // namespace

SolKeypair sol_keypair_from_label(const std::string& label) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
  Hash32 seed = sha256(as_view(label));
  SolKeypair k;
  crypto_sign_seed_keypair(k.pubkey.data(), k.secret.data(), seed.bytes.data());
  return k;
}

std::vector<SolKeypair> sol_dev_keypairs(unsigned n) {
  std::vector<SolKeypair> out;
  for (unsigned i = 0; i < n; ++i) out.push_back(sol_keypair_from_label("lumio-solana-dev-" + std::to_string(i)));
  return out;
}
SolKeypair sol_faucet_keypair() { return sol_keypair_from_label("lumio-solana-faucet"); }
SolKeypair sol_identity_keypair() { return sol_keypair_from_label("lumio-solana-identity"); }

const std::vector<SolProgramImage>& sol_genesis_programs() {
  // Mainnet ids; Memo v1 runs under the deprecated loader, Memo v4 (MemoSq4g…, the id Memo v2+
  // share) under BPFLoader2; Token-2022 and the core-BPF Address Lookup Table are upgradeable.
  static const std::vector<SolProgramImage> kPrograms = {
      {"spl_token-3.5.0", "7b44674b9704fa7640fbebfac68389f338b500b8c2bc29175c27ed66838b5a3c",
       "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", SolLoader::V2},
      {"spl_token_2022-11.0.0", "495e9d7680dd555cb126a6a8e5464af5be9b01f02f2cd70634352722d22e3cad",
       "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb", SolLoader::Upgradeable},
      {"spl_associated_token_account-1.1.1",
       "6804554e69fd3a58caa191dc4a58f4c67223d30ca28ab8987f39fc18d2f7374d",
       "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL", SolLoader::V2},
      {"spl_memo-1.0.0", "67053ed6b0c4b2ff0cead4dc469b2dd30847264b28164ef5e5263d5cf1258c6e",
       "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo", SolLoader::Deprecated},
      {"spl_memo-4.0.0", "0c92063c6838d9ad8af50aaefea9a166b5bb41a2bfa2bc6327d7db320849bc78",
       "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", SolLoader::V2},
      {"address_lookup_table", "e264e1537c5ee1252aae1fa476c25000b641357bc6af4efab65f314160a99570",
       "AddressLookupTab1e1111111111111111111111111", SolLoader::Upgradeable},
  };
  return kPrograms;
}

std::vector<Bytes> load_sol_program_images(const std::string& spl_dir) {
  std::vector<Bytes> out;
  for (const auto& p : sol_genesis_programs()) {
    std::string path = spl_dir + "/" + p.file + ".so";
    std::ifstream f(path, std::ios::binary);
    if (!f)
      throw std::runtime_error("Solana genesis: program image " + path + " is missing (run scripts/extract-spl.sh " +
                               spl_dir + ", or pass --spl-dir DIR)");
    Bytes image{std::istreambuf_iterator<char>(f), {}};
    std::string got = to_hex(sha256(image)).substr(2);
    if (got != p.sha256)
      throw std::runtime_error("Solana genesis: program image " + path + " has SHA-256 " + got + ", expected " +
                               p.sha256 + " (re-run scripts/extract-spl.sh " + spl_dir + ")");
    out.push_back(std::move(image));
  }
  return out;
}

SvmPubkey programdata_address(const SvmPubkey& program_id) {
  SvmPubkey loader = svm_pubkey("BPFLoaderUpgradeab1e11111111111111111111111");
  for (int bump = 255; bump >= 0; --bump) {
    uint8_t b = uint8_t(bump);
    std::span<const uint8_t> seeds[] = {{program_id.data(), 32}, {&b, 1}};
    if (auto k = svm::create_program_address(seeds, loader)) return *k;
  }
  throw std::runtime_error("no program-data address");
}

void write_sol_genesis(state::BlockOverlay& o, const SolGenesisParams& p) {
  auto images = load_sol_program_images(p.spl_dir);
  SvmPubkey native_loader = svm_pubkey("NativeLoader1111111111111111111111111111111");
  // Native programs: owned by the native loader, data = the builtin's name (as Agave does).
  const std::pair<const char*, const char*> kNative[] = {
      {"11111111111111111111111111111111", "system_program"},
      {"ComputeBudget111111111111111111111111111111", "compute_budget_program"},
      {"BPFLoader1111111111111111111111111111111111", "solana_bpf_loader_deprecated_program"},
      {"BPFLoader2111111111111111111111111111111111", "solana_bpf_loader_program"},
      {"BPFLoaderUpgradeab1e11111111111111111111111", "solana_bpf_loader_upgradeable_program"},
      {"LoaderV411111111111111111111111111111111111", "loader_v4"},
      {"Vote111111111111111111111111111111111111111", "vote_program"},
      {"Ed25519SigVerify111111111111111111111111111", "ed25519_program"},
      {"KeccakSecp256k11111111111111111111111111111", "secp256k1_program"},
      {"NativeLoader1111111111111111111111111111111", "native_loader"},
  };
  for (auto [id, name] : kNative) {
    SvmAccountData a;
    a.lamports = 1;
    a.owner = native_loader;
    a.executable = true;
    a.data.assign(name, name + std::strlen(name));
    exec::write_svm_account(o, svm_pubkey(id), a);
  }

  // Programs.
  const auto& programs = sol_genesis_programs();
  for (size_t i = 0; i < programs.size(); ++i) {
    const auto& p = programs[i];
    SvmPubkey id = svm_pubkey(p.program_id);
    SvmAccountData a;
    a.executable = true;
    a.rent_epoch = UINT64_MAX;
    if (p.loader != SolLoader::Upgradeable) {
      a.owner = svm_pubkey(p.loader == SolLoader::V2 ? "BPFLoader2111111111111111111111111111111111"
                                                     : "BPFLoader1111111111111111111111111111111111");
      a.data = images[i];
      a.lamports = exec::rent_exempt_minimum(a.data.size());
      exec::write_svm_account(o, id, a);
      continue;
    }
    // UpgradeableLoaderState::Program { programdata_address } and ::ProgramData { slot,
    // upgrade_authority_address: None } followed by the ELF (bincode, u32 enum tags).
    SvmPubkey pd = programdata_address(id);
    a.owner = svm_pubkey("BPFLoaderUpgradeab1e11111111111111111111111");
    put_u32(a.data, 2);
    a.data.insert(a.data.end(), pd.begin(), pd.end());
    a.lamports = exec::rent_exempt_minimum(a.data.size());
    exec::write_svm_account(o, id, a);
    SvmAccountData d;
    d.owner = a.owner;
    d.rent_epoch = UINT64_MAX;
    put_u32(d.data, 3);
    d.data.insert(d.data.end(), 8, 0);  // deployed at slot 0
    d.data.push_back(0);                // no upgrade authority: immutable here
    d.data.insert(d.data.end(), 32, 0);  // Option<Pubkey> is padded to its full size on chain
    append(d.data, images[i]);
    d.lamports = exec::rent_exempt_minimum(d.data.size());
    exec::write_svm_account(o, pd, d);
  }

  // Sysvars (the per-slot ones are rewritten as slots open).
  exec::SvmClock clock;
  clock.epoch_start_timestamp = clock.unix_timestamp = p.unix_timestamp;
  clock.leader_schedule_epoch = 1;
  auto sysvar = [&](const char* id, Bytes data) {
    exec::write_svm_account(o, svm_pubkey(id), exec::sysvar_account(std::move(data)));
  };
  sysvar("SysvarC1ock11111111111111111111111111111111", exec::sysvar_clock_data(clock));
  sysvar("SysvarRent111111111111111111111111111111111", exec::sysvar_rent_data());
  sysvar("SysvarEpochSchedu1e111111111111111111111111", exec::sysvar_epoch_schedule_data());
  sysvar("SysvarS1otHashes111111111111111111111111111", exec::sysvar_slot_hashes_data({}));
  sysvar("SysvarRecentB1ockHashes11111111111111111111", exec::sysvar_recent_blockhashes_data({}));
  sysvar("SysvarLastRestartS1ot1111111111111111111111", exec::sysvar_last_restart_slot_data(0));
  sysvar("SysvarEpochRewards1111111111111111111111111", exec::sysvar_epoch_rewards_data());
  sysvar("SysvarStakeHistory1111111111111111111111111", exec::sysvar_stake_history_data());

  // Faucet and dev accounts: plain system accounts.
  auto fund = [&](const SvmPubkey& k, uint64_t lamports) {
    SvmAccountData a;
    a.lamports = lamports;
    a.owner = svm_pubkey("11111111111111111111111111111111");
    a.rent_epoch = UINT64_MAX;
    exec::write_svm_account(o, k, a);
  };
  fund(sol_faucet_keypair().pubkey, kFaucetLamports);
  for (const auto& k : sol_dev_keypairs(p.dev_accounts)) fund(k.pubkey, p.dev_lamports);
}

std::unique_ptr<svm::Runtime> make_sol_runtime() {
  auto rt = std::make_unique<svm::Runtime>();
  svm::register_builtins(*rt);
  return rt;
}

}  // namespace lumio::node
