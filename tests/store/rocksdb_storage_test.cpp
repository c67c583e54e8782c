#define CAF_SUITE store_rocksdb
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <rocksdb/db.h>

#include "value_or_fail.hpp"
#include "limited_disk.hpp"
#include "scratch_directory.hpp"
#include "storage_behaviour.hpp"
#include "store/keys.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/values.hpp"

using namespace floe::store;
using floe::store::test::value_or_fail;
using floe::store::test::limited_disk;
using floe::store::test::scratch_directory;

namespace {

rocksdb_options small_options(const std::string& path, durability mode = durability::sync) {
  rocksdb_options o;
  o.path = path;
  o.mode = mode;
  o.write_buffer_bytes = 1 << 20; // tests hold little data; keep memory small
  o.block_cache_bytes = 1 << 20;
  return o;
}

std::unique_ptr<rocksdb_storage> open_or_fail(const rocksdb_options& o) {
  auto db = rocksdb_storage::open(o);
  if (!db)
    CAF_FAIL("open failed: " << to_string(db.error()));
  return std::move(*db);
}

struct fixture {
  scratch_directory dir;
  std::unique_ptr<rocksdb_storage> store = open_or_fail(small_options(dir.sub("db")));
  storage& db() { return *store; }
};

size_t count(storage& db, family f) {
  auto n = db.scan(scan_range{f, "", ""}, [](auto, auto) { return true; });
  CAF_REQUIRE(n.has_value());
  return *n;
}

stored_point sample(series_id s, int64_t t, double v) {
  stored_point p;
  p.series = s;
  p.timestamp_ms = t;
  p.value = v;
  return p;
}

write_batch points_batch(series_id s, int64_t from, int n) {
  write_batch b;
  for (int i = 0; i < n; ++i)
    put_point(b, sample(s, from + i, i));
  return b;
}

} // namespace

// First in this file on purpose: it forks, which is only safe before RocksDB has started
// background threads in this process (each suite runs in its own process under ctest).
CAF_TEST(acknowledged_synced_batches_survive_a_killed_process) {
  scratch_directory dir;
  auto path = dir.sub("db");
  pid_t child = ::fork();
  CAF_REQUIRE(child >= 0);
  if (child == 0) {
    // Durability `none` for ordinary batches; a batch that requires sync still goes through
    // the WAL with fsync (the series dictionary relies on this).
    auto db = rocksdb_storage::open(small_options(path, durability::none));
    if (!db)
      ::_exit(2);
    write_batch synced;
    synced.put(family::meta, "series/name/G/E//m", std::string("\x00\x00\x00\x01", 4));
    synced.require_sync();
    if (!(*db)->commit(synced))
      ::_exit(3);
    ::_exit(0); // no destructor, no flush: as if killed
  }
  int status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(child, &status, 0), child);
  CAF_REQUIRE(WIFEXITED(status));
  CAF_REQUIRE_EQUAL(WEXITSTATUS(status), 0);
  auto db = open_or_fail(small_options(path));
  auto v = db->get(family::meta, "series/name/G/E//m");
  CAF_REQUIRE(v.has_value());
  CAF_CHECK(*v == std::string("\x00\x00\x00\x01", 4));
}

#include "storage_behaviour_tests.inc"

// The points family inserts with per-series hints (rocksdb_options::hinted_series). RocksDB 7.8
// shares a memtable's hints between its point entries and its range tombstones: a retention
// range tombstone written with a hint aborts the process (assertions) or corrupts the memtable.
// So retention runs between writes into the same memtable, and points go in after and before
// the hinted positions (live, then historical), with hints for every series, for some, none.
CAF_TEST(retention_between_hinted_writes_keeps_exactly_the_newer_points) {
  for (uint32_t hinted : {1000u, 3u, 0u}) {
    CAF_MESSAGE("hinted series: ids below " << hinted);
    scratch_directory dir;
    auto o = small_options(dir.sub("db"));
    o.hinted_series = hinted;
    o.write_buffer_bytes = 64 << 20; // everything stays in one memtable
    auto db = open_or_fail(o);
    std::set<std::pair<series_id, int64_t>> expected;
    auto put_points = [&](int64_t from, int64_t to) {
      write_batch b;
      for (int64_t t = from; t < to; ++t)
        for (series_id s = 1; s <= 4; ++s) {
          put_point(b, sample(s, t, static_cast<double>(t)));
          expected.emplace(s, t);
        }
      CAF_REQUIRE(db->commit(b).has_value());
    };
    auto drop_before = [&](int64_t cutoff) {
      CAF_REQUIRE(db->delete_older_than(family::points, cutoff).has_value());
      for (auto it = expected.begin(); it != expected.end();)
        it = it->second < cutoff ? expected.erase(it) : std::next(it);
    };
    put_points(0, 200);     // in time order: each insert right after its series' last one
    drop_before(50);
    put_points(200, 400);   // after the range tombstones, hinted again
    put_points(-20, -10);   // historical: before every hinted position
    drop_before(100);
    put_points(400, 410);
    std::set<std::pair<series_id, int64_t>> left;
    auto n = db->scan(scan_range{family::points, "", ""}, [&](auto key, auto) {
      auto p = decode_point_key(key);
      CAF_REQUIRE(p.has_value());
      left.emplace(p->series, p->timestamp_ms);
      return true;
    });
    CAF_REQUIRE(n.has_value());
    CAF_CHECK_EQUAL(left.size(), expected.size());
    CAF_CHECK(left == expected);
  }
}

CAF_TEST(committed_data_survives_close_and_reopen_in_every_durability_mode) {
  for (auto mode : {durability::sync, durability::wal, durability::none}) {
    scratch_directory dir;
    auto o = small_options(dir.sub("db"), mode);
    {
      auto db = open_or_fail(o);
      CAF_REQUIRE(db->commit(points_batch(1, -50, 100)).has_value());
      write_batch b;
      for (auto f : all_families)
        b.put(f, "k", to_string(f));
      CAF_REQUIRE(db->commit(b).has_value());
    }
    auto db = open_or_fail(o);
    CAF_CHECK_EQUAL(count(*db, family::points), 101u);
    for (auto f : all_families)
      CAF_CHECK_EQUAL(value_or_fail(db->get(f, "k")), to_string(f));
    CAF_CHECK_NOT_EQUAL(db->describe().find(to_string(mode)), std::string::npos);
  }
}

CAF_TEST(reopen_after_flush_and_compaction_keeps_everything) {
  scratch_directory dir;
  auto o = small_options(dir.sub("db"));
  {
    auto db = open_or_fail(o);
    for (int i = 0; i < 5; ++i)
      CAF_REQUIRE(db->commit(points_batch(static_cast<series_id>(i + 1), 0, 1000)).has_value());
    CAF_REQUIRE(db->flush().has_value());
    CAF_REQUIRE(db->compact(family::points).has_value());
    auto size = db->approximate_size(family::points);
    CAF_REQUIRE(size.has_value());
    CAF_CHECK_GREATER(*size, 0u);
  }
  auto db = open_or_fail(o);
  CAF_CHECK_EQUAL(count(*db, family::points), 5000u);
}

CAF_TEST(retention_is_durable_and_hides_flushed_data) {
  scratch_directory dir;
  auto o = small_options(dir.sub("db"));
  {
    auto db = open_or_fail(o);
    CAF_REQUIRE(db->commit(points_batch(1, 0, 1000)).has_value());
    CAF_REQUIRE(db->commit(points_batch(2, 0, 1000)).has_value());
    CAF_REQUIRE(db->flush().has_value()); // the old points sit in SST files, not the memtable
    CAF_REQUIRE(db->commit(points_batch(1, 1000, 10)).has_value());
    CAF_REQUIRE(db->delete_older_than(family::points, 900).has_value());
    CAF_CHECK_EQUAL(count(*db, family::points), 100u + 100u + 10u);
  }
  auto db = open_or_fail(o);
  CAF_CHECK_EQUAL(count(*db, family::points), 210u);
  CAF_REQUIRE(db->compact(family::points).has_value());
  CAF_CHECK_EQUAL(count(*db, family::points), 210u);
}

CAF_TEST(retention_drops_whole_files_without_waiting_for_compaction) {
  scratch_directory dir;
  auto db = open_or_fail(small_options(dir.sub("db")));
  // Series 1 alone in a last-level file; series 2 newer, in its own file.
  CAF_REQUIRE(db->commit(points_batch(1, 0, 5000)).has_value());
  CAF_REQUIRE(db->compact(family::points).has_value());
  CAF_REQUIRE(db->commit(points_batch(2, 10'000, 100)).has_value());
  CAF_REQUIRE(db->flush().has_value());
  auto before = value_or_fail(db->approximate_size(family::points));
  // Every point of series 1 is older than the cutoff; none of series 2 is.
  CAF_REQUIRE(db->delete_older_than(family::points, 5000).has_value());
  auto after = value_or_fail(db->approximate_size(family::points));
  CAF_CHECK_LESS(after, before / 2);
  CAF_CHECK_EQUAL(count(*db, family::points), 100u);
}

CAF_TEST(missing_column_families_are_created_on_open) {
  scratch_directory dir;
  auto path = dir.sub("db");
  {
    // A database with only RocksDB's default family and one floe does not know.
    rocksdb::Options raw;
    raw.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    CAF_REQUIRE(rocksdb::DB::Open(raw, path, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    CAF_REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "from_the_future", &extra)
                  .ok());
    CAF_REQUIRE(db->Put(rocksdb::WriteOptions(), extra, "k", "v").ok());
    db->DestroyColumnFamilyHandle(extra);
    delete db;
  }
  {
    auto db = open_or_fail(small_options(path));
    write_batch b;
    for (auto f : all_families)
      b.put(f, "k", "v");
    CAF_CHECK(db->commit(b).has_value());
  }
  std::vector<std::string> names;
  CAF_REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  for (auto f : all_families)
    CAF_CHECK(std::find(names.begin(), names.end(), to_string(f)) != names.end());
  CAF_CHECK(std::find(names.begin(), names.end(), "from_the_future") != names.end());
}

CAF_TEST(second_open_of_one_directory_reports_the_lock) {
  scratch_directory dir;
  auto o = small_options(dir.sub("db"));
  auto first = open_or_fail(o);
  auto second = rocksdb_storage::open(o);
  CAF_REQUIRE(!second.has_value());
  CAF_CHECK(second.error().code == errc::io_error);
  CAF_CHECK_NOT_EQUAL(second.error().detail.find("is locked"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(second.error().detail.find(o.path), std::string::npos);
}

CAF_TEST(corrupt_database_files_report_corruption) {
  scratch_directory dir;
  auto o = small_options(dir.sub("db"));
  {
    auto db = open_or_fail(o);
    CAF_REQUIRE(db->commit(points_batch(1, 0, 10)).has_value());
  }
  {
    std::ofstream current(o.path + "/CURRENT", std::ios::trunc);
    current << "garbage-without-newline";
  }
  auto db = rocksdb_storage::open(o);
  CAF_REQUIRE(!db.has_value());
  CAF_CHECK(db.error().code == errc::corruption);
  CAF_CHECK_NOT_EQUAL(db.error().detail.find("is corrupt"), std::string::npos);
}

CAF_TEST(path_that_is_a_file_is_invalid_argument) {
  scratch_directory dir;
  auto file = dir.sub("plain-file");
  std::ofstream(file) << "not a database";
  auto db = rocksdb_storage::open(small_options(file));
  CAF_REQUIRE(!db.has_value());
  CAF_CHECK(db.error().code == errc::invalid_argument);
  auto empty = rocksdb_storage::open(small_options(""));
  CAF_REQUIRE(!empty.has_value());
  CAF_CHECK(empty.error().code == errc::invalid_argument);
}

CAF_TEST(missing_database_without_create_is_not_found) {
  scratch_directory dir;
  auto o = small_options(dir.sub("absent"));
  o.create_if_missing = false;
  auto db = rocksdb_storage::open(o);
  CAF_REQUIRE(!db.has_value());
  CAF_CHECK(db.error().code == errc::not_found);
  CAF_CHECK_NOT_EQUAL(db.error().detail.find(o.path), std::string::npos);
}

CAF_TEST(data_directory_below_a_file_cannot_be_created) {
  scratch_directory dir;
  auto file = dir.sub("plain-file");
  std::ofstream(file) << "x";
  auto db = rocksdb_storage::open(small_options(file + "/db"));
  CAF_REQUIRE(!db.has_value());
  CAF_CHECK(db.error().code == errc::io_error);
  CAF_CHECK_NOT_EQUAL(db.error().detail.find("cannot create"), std::string::npos);
}

CAF_TEST(full_disk_gives_no_space_and_the_batch_is_not_applied) {
  scratch_directory dir;
  limited_disk disk;
  auto o = small_options(dir.sub("db"));
  o.env = disk.env();
  {
    auto db = open_or_fail(o);
    CAF_REQUIRE(db->commit(points_batch(1, 0, 100)).has_value());
    disk.limit_to_more(64); // less than the next batch's WAL record
    auto r = db->commit(points_batch(2, 0, 100));
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK(r.error().code == errc::no_space);
    CAF_CHECK_GREATER(disk.failed_appends(), 0u);
    // Reads still work, and show the earlier batch but nothing of the failed one.
    CAF_CHECK_EQUAL(count(*db, family::points), 100u);
    auto s2 = db->scan(scan_range{family::points, series_prefix(2), series_end(2)},
                       [](auto, auto) { return true; });
    CAF_REQUIRE(s2.has_value());
    CAF_CHECK_EQUAL(*s2, 0u);
    // While the disk stays full, commits keep failing cleanly.
    auto again = db->commit(points_batch(3, 0, 100));
    CAF_REQUIRE(!again.has_value());
    // Space freed: the store accepts commits again without a reopen.
    disk.unlimited();
    auto after = db->commit(points_batch(4, 0, 100));
    if (!after)
      CAF_FAIL("commit after freeing space: " << to_string(after.error()));
    CAF_CHECK_EQUAL(count(*db, family::points), 200u);
  }
  // After a restart: the batches that succeeded, none of the failed ones.
  o.env = nullptr;
  auto db = open_or_fail(o);
  CAF_CHECK_EQUAL(count(*db, family::points), 200u);
  for (series_id s : {series_id{2}, series_id{3}}) {
    auto n = db->scan(scan_range{family::points, series_prefix(s), series_end(s)},
                      [](auto, auto) { return true; });
    CAF_REQUIRE(n.has_value());
    CAF_CHECK_EQUAL(*n, 0u);
  }
}
