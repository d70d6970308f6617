// Well-known ids, rent and the sysvar account data the runtime generates (bincode layouts of
// solana-rent, solana-clock, solana-epoch-schedule, solana-slot-hashes, recent_blockhashes,
// solana-last-restart-slot).
#include <cstdlib>
#include <cstring>

#include "svm/runtime.hpp"
#include "svm/syscalls.hpp"

namespace lumio::svm {

Pubkey pubkey_from_base58(std::string_view s) {
  auto v = base58_decode(s);
  if (!v || v->size() > 32) std::abort();  // only for ids written in the source
  Pubkey p{};
  std::memcpy(p.data() + (32 - v->size()), v->data(), v->size());
  return p;
}

namespace ids {
const Pubkey system_program = pubkey_from_base58("11111111111111111111111111111111");
const Pubkey native_loader = pubkey_from_base58("NativeLoader1111111111111111111111111111111");
const Pubkey bpf_loader_deprecated = pubkey_from_base58("BPFLoader1111111111111111111111111111111111");
const Pubkey bpf_loader = pubkey_from_base58("BPFLoader2111111111111111111111111111111111");
const Pubkey bpf_loader_upgradeable = pubkey_from_base58("BPFLoaderUpgradeab1e11111111111111111111111");
const Pubkey loader_v4 = pubkey_from_base58("LoaderV411111111111111111111111111111111111");
const Pubkey compute_budget = pubkey_from_base58("ComputeBudget111111111111111111111111111111");
const Pubkey address_lookup_table = pubkey_from_base58("AddressLookupTab1e1111111111111111111111111");
const Pubkey config_program = pubkey_from_base58("Config1111111111111111111111111111111111111");
const Pubkey stake_program = pubkey_from_base58("Stake11111111111111111111111111111111111111");
const Pubkey vote_program = pubkey_from_base58("Vote111111111111111111111111111111111111111");
const Pubkey feature_program = pubkey_from_base58("Feature111111111111111111111111111111111111");
const Pubkey ed25519_program = pubkey_from_base58("Ed25519SigVerify111111111111111111111111111");
const Pubkey secp256k1_program = pubkey_from_base58("KeccakSecp256k11111111111111111111111111111");
const Pubkey secp256r1_program = pubkey_from_base58("Secp256r1SigVerify1111111111111111111111111");
const Pubkey zk_token_proof = pubkey_from_base58("ZkTokenProof1111111111111111111111111111111");
const Pubkey zk_elgamal_proof = pubkey_from_base58("ZkE1Gama1Proof11111111111111111111111111111");
const Pubkey incinerator = pubkey_from_base58("1nc1nerator11111111111111111111111111111111");
const Pubkey sysvar_owner = pubkey_from_base58("Sysvar1111111111111111111111111111111111111");
const Pubkey sysvar_clock = pubkey_from_base58("SysvarC1ock11111111111111111111111111111111");
const Pubkey sysvar_rent = pubkey_from_base58("SysvarRent111111111111111111111111111111111");
const Pubkey sysvar_epoch_schedule = pubkey_from_base58("SysvarEpochSchedu1e111111111111111111111111");
const Pubkey sysvar_slot_hashes = pubkey_from_base58("SysvarS1otHashes111111111111111111111111111");
const Pubkey sysvar_recent_blockhashes = pubkey_from_base58("SysvarRecentB1ockHashes11111111111111111111");
const Pubkey sysvar_instructions = pubkey_from_base58("Sysvar1nstructions1111111111111111111111111");
const Pubkey sysvar_last_restart_slot = pubkey_from_base58("SysvarLastRestartS1ot1111111111111111111111");
const Pubkey sysvar_fees = pubkey_from_base58("SysvarFees111111111111111111111111111111111");
const Pubkey sysvar_rewards = pubkey_from_base58("SysvarRewards111111111111111111111111111111");
const Pubkey sysvar_slot_history = pubkey_from_base58("SysvarS1otHistory11111111111111111111111111");
const Pubkey sysvar_stake_history = pubkey_from_base58("SysvarStakeHistory1111111111111111111111111");
const Pubkey sysvar_epoch_rewards = pubkey_from_base58("SysvarEpochRewards1111111111111111111111111");
}  // namespace ids

bool is_bpf_loader(const Pubkey& o) {
  return o == ids::bpf_loader || o == ids::bpf_loader_deprecated || o == ids::bpf_loader_upgradeable ||
         o == ids::loader_v4;
}

bool is_reserved_account(const Pubkey& k) {
  static const Pubkey stake_config = pubkey_from_base58("StakeConfig11111111111111111111111111111111");
  static const Pubkey* const kReserved[] = {
      &ids::address_lookup_table, &ids::bpf_loader, &ids::bpf_loader_deprecated,
      &ids::bpf_loader_upgradeable, &ids::compute_budget, &ids::config_program, &ids::ed25519_program,
      &ids::feature_program, &ids::loader_v4, &ids::secp256k1_program, &ids::secp256r1_program,
      &stake_config, &ids::stake_program, &ids::system_program, &ids::vote_program,
      &ids::zk_elgamal_proof, &ids::zk_token_proof, &ids::native_loader, &ids::sysvar_owner,
      &ids::sysvar_clock, &ids::sysvar_epoch_rewards, &ids::sysvar_epoch_schedule, &ids::sysvar_fees,
      &ids::sysvar_instructions, &ids::sysvar_last_restart_slot, &ids::sysvar_recent_blockhashes,
      &ids::sysvar_rent, &ids::sysvar_rewards, &ids::sysvar_slot_hashes, &ids::sysvar_slot_history,
      &ids::sysvar_stake_history};
  for (const Pubkey* r : kReserved)
    if (*r == k) return true;
  return false;
}

namespace {
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
}  // namespace

std::vector<uint8_t> Rent::encode() const {
  std::vector<uint8_t> out;
  put_u64(out, lamports_per_byte_year);
  uint64_t bits;
  std::memcpy(&bits, &exemption_threshold, 8);
  put_u64(out, bits);
  out.push_back(burn_percent);
  return out;
}

std::vector<uint8_t> EpochSchedule::encode() const {
  std::vector<uint8_t> out;
  put_u64(out, slots_per_epoch);
  put_u64(out, leader_schedule_slot_offset);
  out.push_back(warmup);
  put_u64(out, first_normal_epoch);
  put_u64(out, first_normal_slot);
  return out;
}

std::vector<uint8_t> RuntimeEnv::clock_data() const {
  std::vector<uint8_t> out;
  put_u64(out, slot);
  put_u64(out, uint64_t(epoch_start_timestamp));
  put_u64(out, epoch);
  put_u64(out, leader_schedule_epoch);
  put_u64(out, uint64_t(unix_timestamp));
  return out;
}

// Sysvar accounts with a bounded list are allocated at their maximum size (SlotHashes 512
// entries, RecentBlockhashes 150), as Agave creates them; the tail stays zero.
std::vector<uint8_t> RuntimeEnv::slot_hashes_data() const {
  std::vector<uint8_t> out;
  size_t n = std::min<size_t>(slot_hashes.size(), 512);
  put_u64(out, n);
  for (size_t i = 0; i < n; ++i) {
    put_u64(out, slot_hashes[i].first);
    out.insert(out.end(), slot_hashes[i].second.begin(), slot_hashes[i].second.end());
  }
  out.resize(8 + 512 * 40, 0);
  return out;
}

std::vector<uint8_t> RuntimeEnv::recent_blockhashes_data() const {
  std::vector<uint8_t> out;
  size_t n = std::min<size_t>(recent_blockhashes.size(), 150);
  put_u64(out, n);
  for (size_t i = 0; i < n; ++i) {
    out.insert(out.end(), recent_blockhashes[i].begin(), recent_blockhashes[i].end());
    put_u64(out, lamports_per_signature);
  }
  out.resize(8 + 150 * 40, 0);
  return out;
}

std::vector<uint8_t> RuntimeEnv::last_restart_slot_data() const {
  std::vector<uint8_t> out;
  put_u64(out, last_restart_slot);
  return out;
}

std::map<Pubkey, std::vector<uint8_t>> RuntimeEnv::sysvars() const {
  return {{ids::sysvar_clock, clock_data()},
          {ids::sysvar_rent, rent.encode()},
          {ids::sysvar_epoch_schedule, epoch_schedule.encode()},
          {ids::sysvar_slot_hashes, slot_hashes_data()},
          {ids::sysvar_recent_blockhashes, recent_blockhashes_data()},
          {ids::sysvar_last_restart_slot, last_restart_slot_data()}};
}

}  // namespace lumio::svm
