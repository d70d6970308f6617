#include "state/store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state/overlay.hpp"
#include "state/test_util.hpp"

using namespace lumio;
using namespace lumio::state;
using lumio::state::testing::TempDir;

namespace {
Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }
Bytes be64(uint64_t v) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = uint8_t(v >> (56 - 8 * i));
  return out;
}
}  // namespace

TEST(Store, SpacesAreSeparateAndBatchesAtomic) {
  TempDir d;
  auto s = Store::open(d.str());
  WriteBatch wb;
  wb.put(Space::EvmAccount, b("k"), b("evm"));
  wb.put(Space::SvmAccount, b("k"), b("svm"));
  wb.put(Space::SvmAccount, b("k2"), b("x"));
  wb.erase(Space::SvmAccount, b("k2"));
  EXPECT_EQ(wb.count(), 4u);
  s->write(wb, true);
  EXPECT_EQ(s->get(Space::EvmAccount, b("k")), b("evm"));
  EXPECT_EQ(s->get(Space::SvmAccount, b("k")), b("svm"));
  EXPECT_EQ(s->get(Space::SvmAccount, b("k2")), std::nullopt);
  EXPECT_EQ(s->get(Space::EvmCode, b("k")), std::nullopt);
}

TEST(Store, PrefixScanAndPrefixErase) {
  TempDir d;
  auto s = Store::open(d.str());
  WriteBatch wb;
  for (int i = 0; i < 5; ++i) wb.put(Space::EvmStorage, Bytes{1, uint8_t(i)}, Bytes{uint8_t(i)});
  wb.put(Space::EvmStorage, Bytes{2, 0}, Bytes{9});
  wb.put(Space::EvmStorage, Bytes{0xff, 0xff}, Bytes{8});
  wb.put(Space::EvmCode, Bytes{1, 0}, Bytes{7});
  s->write(wb, false);
  std::vector<Bytes> keys;
  s->scan(Space::EvmStorage, Bytes{1}, [&](BytesView k, BytesView) {
    keys.emplace_back(k.begin(), k.end());
    return true;
  });
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(keys[0], (Bytes{1, 0}));
  EXPECT_EQ(keys[4], (Bytes{1, 4}));
  int n = 0;
  s->scan(Space::EvmStorage, Bytes{1}, [&](BytesView, BytesView) { return ++n < 2; });
  EXPECT_EQ(n, 2);  // stops when fn returns false
  WriteBatch del;
  del.erase_prefix(Space::EvmStorage, Bytes{1});
  del.erase_prefix(Space::EvmStorage, Bytes{0xff});  // all-0xff prefix: bound moves up a byte
  s->write(del, false);
  EXPECT_EQ(s->get(Space::EvmStorage, Bytes{1, 3}), std::nullopt);
  EXPECT_EQ(s->get(Space::EvmStorage, Bytes{0xff, 0xff}), std::nullopt);
  EXPECT_EQ(s->get(Space::EvmStorage, Bytes{2, 0}), Bytes{9});
  EXPECT_EQ(s->get(Space::EvmCode, Bytes{1, 0}), Bytes{7});
}

TEST(Store, ReopenKeepsData) {
  TempDir d;
  {
    auto s = Store::open(d.str());
    WriteBatch wb;
    wb.put(Space::Meta, b("head"), b("42"));
    s->write(wb, false);
  }
  auto s = Store::open(d.str());
  EXPECT_EQ(s->get(Space::Meta, b("head")), b("42"));
}

TEST(Store, SnapshotIgnoresLaterWrites) {
  TempDir d;
  auto s = Store::open(d.str());
  WriteBatch wb;
  wb.put(Space::EvmAccount, b("a"), b("1"));
  s->write(wb, false);
  SnapshotReader snap(s->snapshot());
  WriteBatch wb2;
  wb2.put(Space::EvmAccount, b("a"), b("2"));
  wb2.put(Space::EvmAccount, b("b"), b("3"));
  s->write(wb2, false);
  EXPECT_EQ(snap.get(Space::EvmAccount, b("a")), b("1"));
  EXPECT_EQ(snap.get(Space::EvmAccount, b("b")), std::nullopt);
  int n = 0;
  snap.snapshot().scan(Space::EvmAccount, {}, [&](BytesView, BytesView) { return ++n, true; });
  EXPECT_EQ(n, 1);
  EXPECT_EQ(s->get(Space::EvmAccount, b("a")), b("2"));
}

TEST(Store, OpenFailsClearly) {
  Store::Options o;
  o.create_if_missing = false;
  EXPECT_THROW(Store::open("/nonexistent/lumio/db", o), StoreError);
}

// A child writes batches (two spaces each) and acknowledges each one through a pipe after
// write() returned; the parent kills it with SIGKILL mid-stream, reopens the store, and finds
// every acknowledged batch complete, and no batch half-applied.
void crash_test(bool sync) {
  TempDir d;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto s = Store::open(d.str());
    for (uint64_t i = 0;; ++i) {
      WriteBatch wb;
      wb.put(Space::Block, be64(i), Bytes(200, uint8_t(i)));
      wb.put(Space::EvmAccount, be64(i), be64(i * 7));
      s->write(wb, sync);
      if (write(fds[1], &i, sizeof i) != sizeof i) _exit(1);
    }
  }
  close(fds[1]);
  uint64_t acked = 0, got;
  int n = 0;
  while (n < 300 && read(fds[0], &got, sizeof got) == sizeof got) acked = got, ++n;
  kill(pid, SIGKILL);
  int status;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_EQ(n, 300);

  auto s = Store::open(d.str());
  for (uint64_t i = 0; i <= acked; ++i) {
    ASSERT_EQ(s->get(Space::Block, be64(i)), Bytes(200, uint8_t(i))) << i;
    ASSERT_EQ(s->get(Space::EvmAccount, be64(i)), be64(i * 7)) << i;
  }
  // Batches after the last acknowledgement are either whole or absent.
  for (uint64_t i = acked + 1; i < acked + 1000; ++i) {
    bool a = s->get(Space::Block, be64(i)).has_value();
    bool c = s->get(Space::EvmAccount, be64(i)).has_value();
    ASSERT_EQ(a, c) << i;
  }
}

TEST(Store, CrashSafetySyncedWrites) { crash_test(true); }
TEST(Store, CrashSafetyUnsyncedWritesSurviveProcessKill) { crash_test(false); }

TEST(Overlay, TxViewRecordsReadsAndWrites) {
  TempDir d;
  auto s = Store::open(d.str());
  WriteBatch wb;
  wb.put(Space::EvmAccount, b("a"), b("1"));
  s->write(wb, false);
  StoreReader base(*s);
  BlockOverlay block(base);

  TxView tx1(block);
  EXPECT_EQ(tx1.get(Space::EvmAccount, b("a")), b("1"));
  EXPECT_EQ(tx1.get(Space::EvmAccount, b("missing")), std::nullopt);
  tx1.put(Space::EvmAccount, b("a"), b("2"));
  EXPECT_EQ(tx1.get(Space::EvmAccount, b("a")), b("2"));  // own write, not re-recorded
  tx1.put(Space::EvmStorage, b("s"), b("x"));
  ASSERT_EQ(tx1.reads().size(), 2u);
  EXPECT_EQ(tx1.reads().at(make_key(Space::EvmAccount, b("a"))), b("1"));
  EXPECT_EQ(tx1.reads().at(make_key(Space::EvmAccount, b("missing"))), std::nullopt);
  ASSERT_EQ(tx1.writes().size(), 2u);
  // Not visible to the block until committed.
  EXPECT_EQ(block.get(Space::EvmAccount, b("a")), b("1"));
  block.commit(tx1);
  EXPECT_EQ(block.get(Space::EvmAccount, b("a")), b("2"));

  TxView tx2(block);
  EXPECT_EQ(tx2.get(Space::EvmAccount, b("a")), b("2"));  // sees tx1
  tx2.erase(Space::EvmStorage, b("s"));
  EXPECT_EQ(tx2.get(Space::EvmStorage, b("s")), std::nullopt);
  block.commit(tx2);
  EXPECT_EQ(block.get(Space::EvmStorage, b("s")), std::nullopt);

  // The store is untouched until the batch is written.
  EXPECT_EQ(s->get(Space::EvmAccount, b("a")), b("1"));
  WriteBatch out = block.to_batch();
  out.put(Space::Block, be64(1), b("block"));
  s->write(out, true);
  EXPECT_EQ(s->get(Space::EvmAccount, b("a")), b("2"));
  EXPECT_EQ(s->get(Space::EvmStorage, b("s")), std::nullopt);
  EXPECT_EQ(s->get(Space::Block, be64(1)), b("block"));
}

TEST(Overlay, CheckpointRevert) {
  TempDir d;
  auto s = Store::open(d.str());
  StoreReader base(*s);
  TxView tx(base);
  tx.put(Space::Sys, b("k"), b("1"));
  size_t cp = tx.checkpoint();
  tx.put(Space::Sys, b("k"), b("2"));
  tx.put(Space::Sys, b("j"), b("3"));
  size_t cp2 = tx.checkpoint();
  tx.erase(Space::Sys, b("k"));
  EXPECT_EQ(tx.get(Space::Sys, b("k")), std::nullopt);
  tx.revert_to(cp2);
  EXPECT_EQ(tx.get(Space::Sys, b("k")), b("2"));
  tx.revert_to(cp);
  EXPECT_EQ(tx.get(Space::Sys, b("k")), b("1"));
  EXPECT_EQ(tx.get(Space::Sys, b("j")), std::nullopt);
  EXPECT_EQ(tx.writes().size(), 1u);
  tx.revert_to(0);
  EXPECT_TRUE(tx.writes().empty());
}

TEST(Overlay, ScanMergesPendingWritesInKeyOrder) {
  TempDir d;
  auto s = Store::open(d.str());
  WriteBatch wb;
  for (uint8_t i : {1, 3, 5, 7}) wb.put(Space::MoveTable, Bytes{9, i}, Bytes{i});
  wb.put(Space::MoveTable, Bytes{8, 0}, Bytes{0});  // outside the prefix
  s->write(wb, false);
  StoreReader base(*s);
  BlockOverlay block(base);
  block.put(Space::MoveTable, Bytes{9, 0}, Bytes{100});  // before every base key
  block.erase(Space::MoveTable, Bytes{9, 3});
  block.put(Space::MoveTable, Bytes{9, 5}, Bytes{55});   // overrides
  block.put(Space::MoveTable, Bytes{9, 9}, Bytes{99});   // after every base key
  TxView tx(block);
  tx.put(Space::MoveTable, Bytes{9, 4}, Bytes{44});
  tx.erase(Space::MoveTable, Bytes{9, 7});
  auto collect = [](const StateReader& r) {
    std::vector<std::pair<Bytes, Bytes>> out;
    r.scan(Space::MoveTable, Bytes{9}, [&](BytesView k, BytesView v) {
      out.emplace_back(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
      return true;
    });
    return out;
  };
  using KV = std::vector<std::pair<Bytes, Bytes>>;
  EXPECT_EQ(collect(block), (KV{{{9, 0}, {100}}, {{9, 1}, {1}}, {{9, 5}, {55}}, {{9, 7}, {7}}, {{9, 9}, {99}}}));
  EXPECT_EQ(collect(tx), (KV{{{9, 0}, {100}}, {{9, 1}, {1}}, {{9, 4}, {44}}, {{9, 5}, {55}}, {{9, 9}, {99}}}));
  // The tx scan recorded what it saw below it.
  EXPECT_EQ(tx.reads().at(make_key(Space::MoveTable, Bytes{9, 5})), Bytes{55});
  EXPECT_EQ(tx.reads().count(make_key(Space::MoveTable, Bytes{9, 3})), 0u);  // erased below: unseen
  // Early stop.
  int n = 0;
  tx.scan(Space::MoveTable, Bytes{9}, [&](BytesView, BytesView) { return ++n < 2; });
  EXPECT_EQ(n, 2);
}
