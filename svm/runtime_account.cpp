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

bool is_bpf_loader(const Pubkey& o) {
  return o == ids::bpf_loader || o == ids::bpf_loader_deprecated || o == ids::bpf_loader_upgradeable ||
         o == ids::loader_v4;
}

bool is_reserved_account(const Pubkey& k) {
  static const Pubkey* const kReserved[] = {
      &ids::address_lookup_table, &ids::bpf_loader, &ids::bpf_loader_deprecated,
      &ids::bpf_loader_upgradeable, &ids::compute_budget, &ids::config_program, &ids::ed25519_program,
      &ids::feature_program, &ids::loader_v4, &ids::secp256k1_program, &ids::secp256r1_program,
      &ids::stake_config, &ids::stake_program, &ids::system_program, &ids::vote_program,
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
