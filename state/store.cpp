#include "state/store.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

namespace lumio::state {

namespace {
rocksdb::Slice slice(BytesView v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }
BytesView view(const rocksdb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
void check(const rocksdb::Status& st, const char* what) {
  if (!st.ok()) throw StoreError(std::string(what) + ": " + st.ToString());
}
}  // namespace

Bytes make_key(Space s, BytesView key) {
  Bytes k;
  k.reserve(key.size() + 1);
  k.push_back(uint8_t(s));
  append(k, key);
  return k;
}

WriteBatch::WriteBatch() : rep_(std::make_unique<rocksdb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::put(Space s, BytesView key, BytesView value) {
  check(rep_->Put(slice(make_key(s, key)), slice(value)), "batch put");
}
void WriteBatch::erase(Space s, BytesView key) {
  check(rep_->Delete(slice(make_key(s, key))), "batch delete");
}
void WriteBatch::erase_prefix(Space s, BytesView prefix) {
  Bytes begin = make_key(s, prefix), end = begin;
  // The smallest key above every key with this prefix: increment the last non-0xff byte.
  while (!end.empty() && end.back() == 0xff) end.pop_back();
  if (end.empty()) throw StoreError("erase_prefix: unbounded range");
  ++end.back();
  check(rep_->DeleteRange(slice(begin), slice(end)), "batch delete range");
}
size_t WriteBatch::count() const { return size_t(rep_->Count()); }
size_t WriteBatch::byte_size() const { return rep_->GetDataSize(); }

Store::Store(rocksdb::DB* db) : db_(db) {}
Store::~Store() = default;

std::unique_ptr<Store> Store::open(const std::string& path, const Options& opts) {
  if (opts.create_if_missing) {
    std::error_code ec;  // RocksDB creates only the last path component
    std::filesystem::create_directories(path, ec);
    if (ec) throw StoreError("open: cannot create " + path + ": " + ec.message());
  }
  rocksdb::Options o;
  o.create_if_missing = opts.create_if_missing;
  // Background flush/compaction threads: half the cores, at least two.
  o.IncreaseParallelism(int(std::max(2u, std::thread::hardware_concurrency() / 2)));
  o.OptimizeLevelStyleCompaction();
  // Bound memtables and the WAL: RSS stays small, and a restart after kill -9 replays at most
  // ~128 MiB of log (older memtables are flushed once the WAL passes that).
  o.write_buffer_size = 32u << 20;
  o.max_write_buffer_number = 3;
  o.max_total_wal_size = 128u << 20;
  // Point lookups dominate (trie nodes, accounts): bloom filters and a shared block cache.
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.block_cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  // Recover every write that reached the WAL; a torn last record is dropped, never misread.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.keep_log_file_num = 4;  // RocksDB's info LOG files, not the WAL
  rocksdb::DB* db = nullptr;
  check(rocksdb::DB::Open(o, path, &db), "open");
  return std::unique_ptr<Store>(new Store(db));
}

std::optional<Bytes> Store::get(Space s, BytesView key) const { return get_at(nullptr, s, key); }

std::vector<std::optional<Bytes>> Store::multi_get(const std::vector<Bytes>& full_keys) const {
  std::vector<rocksdb::Slice> keys;
  keys.reserve(full_keys.size());
  for (const Bytes& k : full_keys) keys.emplace_back(reinterpret_cast<const char*>(k.data()), k.size());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(), keys.data(),
                values.data(), statuses.data());
  std::vector<std::optional<Bytes>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].ok())
      out[i] = Bytes(values[i].data(), values[i].data() + values[i].size());
    else if (!statuses[i].IsNotFound())
      throw StoreError("multi_get: " + statuses[i].ToString());
  }
  return out;
}

void Store::scan(Space s, BytesView prefix,
                 const std::function<bool(BytesView, BytesView)>& fn) const {
  scan_at(nullptr, s, prefix, fn);
}

namespace {
rocksdb::ReadOptions read_options(const void* snap) {
  rocksdb::ReadOptions r;
  r.snapshot = static_cast<const rocksdb::Snapshot*>(snap);
  return r;
}
}  // namespace

std::optional<Bytes> Store::get_at(const void* snap, Space s, BytesView key) const {
  rocksdb::PinnableSlice v;
  auto st = db_->Get(read_options(snap), db_->DefaultColumnFamily(), slice(make_key(s, key)), &v);
  if (st.IsNotFound()) return std::nullopt;
  check(st, "get");
  return Bytes(v.data(), v.data() + v.size());
}

void Store::scan_at(const void* snap, Space s, BytesView prefix,
                    const std::function<bool(BytesView, BytesView)>& fn) const {
  Bytes start = make_key(s, prefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options(snap)));
  for (it->Seek(slice(start)); it->Valid() && it->key().starts_with(slice(start)); it->Next())
    if (!fn(view(it->key()).subspan(1), view(it->value()))) break;
  check(it->status(), "scan");
}

void Store::write(WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions w;
  w.sync = sync;
  check(db_->Write(w, &batch.rep()), "write");
}

std::unique_ptr<Snapshot> Store::snapshot() const {
  return std::unique_ptr<Snapshot>(new Snapshot(*this, db_->GetSnapshot()));
}

Snapshot::~Snapshot() {
  store_.db_->ReleaseSnapshot(static_cast<const rocksdb::Snapshot*>(snap_));
}

void Store::flush() { check(db_->Flush(rocksdb::FlushOptions()), "flush"); }

}  // namespace lumio::state
