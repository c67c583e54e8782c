#define CAF_SUITE store_faults
#include <caf/test/unit_test.hpp>

#include "scratch_directory.hpp"
#include "store/faulty_storage.hpp"
#include "store/keys.hpp"
#include "store/memory_storage.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/series_dictionary.hpp"
#include "store/values.hpp"

using namespace floe::store;
using floe::store::test::scratch_directory;

namespace {

stored_point sample(series_id s, int64_t t, double v) {
  stored_point p;
  p.series = s;
  p.timestamp_ms = t;
  p.value = v;
  return p;
}

write_batch points_batch(series_id s, int n) {
  write_batch b;
  for (int i = 0; i < n; ++i)
    put_point(b, sample(s, i, i));
  return b;
}

size_t count_series(storage& db, series_id s) {
  auto n = db.scan(scan_range{family::points, series_prefix(s), series_end(s)},
                   [](auto, auto) { return true; });
  CAF_REQUIRE(n.has_value());
  return *n;
}

struct fixture {
  std::shared_ptr<memory_storage> inner = std::make_shared<memory_storage>();
  faulty_storage db{inner};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(faults_over_memory, fixture)

CAF_TEST(full_disk_gives_no_space_and_the_batch_is_not_applied) {
  auto small = points_batch(1, 10);   // 10 x (14 + 5) bytes
  auto large = points_batch(2, 1000);
  db.limit_write_bytes(small.payload_bytes() + 100);
  CAF_REQUIRE(db.commit(small).has_value());
  auto r = db.commit(large);
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::no_space);
  CAF_CHECK_NOT_EQUAL(r.error().detail.find("full disk"), std::string::npos);
  CAF_CHECK_EQUAL(count_series(*inner, 1), 10u);
  CAF_CHECK_EQUAL(count_series(*inner, 2), 0u);
  // What still fits is accepted; the budget counts only committed bytes.
  auto tiny = points_batch(3, 2);
  CAF_REQUIRE(db.commit(tiny).has_value());
  CAF_CHECK_EQUAL(db.bytes_committed(), small.payload_bytes() + tiny.payload_bytes());
  CAF_CHECK_EQUAL(db.faults_injected(), 1u);
  // Space freed: the same batch goes through.
  db.heal();
  CAF_REQUIRE(db.commit(large).has_value());
  CAF_CHECK_EQUAL(count_series(db, 2), 1000u);
}

CAF_TEST(the_error_code_of_a_full_disk_can_be_chosen) {
  db.limit_write_bytes(0, errc::io_error);
  auto r = db.commit(points_batch(1, 1));
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::io_error);
  // An empty batch needs no space.
  CAF_CHECK(db.commit(write_batch{}).has_value());
}

CAF_TEST(commits_fail_after_the_given_number_of_successes) {
  db.fail_commits_after(2, errc::io_error);
  CAF_CHECK(db.commit(points_batch(1, 1)).has_value());
  CAF_CHECK(db.commit(points_batch(2, 1)).has_value());
  for (int i = 0; i < 3; ++i) {
    auto r = db.commit(points_batch(3, 1));
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK(r.error().code == errc::io_error);
  }
  // Retention writes too: it fails the same way and deletes nothing.
  auto ret = db.delete_older_than(family::points, 100);
  CAF_REQUIRE(!ret.has_value());
  CAF_CHECK_EQUAL(count_series(*inner, 1), 1u);
  CAF_CHECK_EQUAL(count_series(*inner, 3), 0u);
  CAF_CHECK_EQUAL(db.faults_injected(), 4u);
  // Reads are unaffected.
  CAF_CHECK_EQUAL(count_series(db, 2), 1u);
}

CAF_TEST(reads_fail_after_the_given_number_of_successes) {
  CAF_REQUIRE(db.commit(points_batch(1, 5)).has_value());
  db.fail_reads_after(1, errc::corruption);
  CAF_CHECK(db.get(family::points, point_key(1, 0, 0)).has_value());
  auto g = db.get(family::points, point_key(1, 0, 0));
  CAF_REQUIRE(!g.has_value());
  CAF_CHECK(g.error().code == errc::corruption);
  size_t visited = 0;
  auto s = db.scan(scan_range{family::points, "", ""}, [&](auto, auto) {
    ++visited;
    return true;
  });
  CAF_REQUIRE(!s.has_value());
  CAF_CHECK_EQUAL(visited, 0u);
  // Writes still work while reads fail.
  CAF_CHECK(db.commit(points_batch(2, 1)).has_value());
  db.heal();
  CAF_CHECK(db.get(family::points, point_key(1, 0, 0)).has_value());
}

CAF_TEST(corrupted_values_are_reported_by_the_decoders_without_a_crash) {
  write_batch b;
  put_point(b, sample(1, 0, 1.5));
  stored_point text = sample(1, 1, 0);
  text.value = std::string("running");
  put_point(b, text);
  stored_point flag = sample(1, 2, 0);
  flag.value = true;
  put_point(b, flag);
  window_record w;
  w.series = 1;
  w.width_ms = 1000;
  CAF_REQUIRE(put_window(b, w).has_value());
  CAF_REQUIRE(db.commit(b).has_value());
  db.corrupt_values_after(0);
  size_t seen = 0;
  auto n = db.scan(scan_range{family::points, "", ""}, [&](auto key, auto value) {
    ++seen;
    auto p = decode_point(key, value);
    CAF_CHECK(!p.has_value());
    if (!p)
      CAF_CHECK(p.error().code == errc::corruption);
    return true;
  });
  CAF_REQUIRE(n.has_value());
  CAF_CHECK_EQUAL(seen, 3u);
  auto raw = db.get(family::windows, window_key(1, 1000, 0));
  CAF_REQUIRE(raw.has_value());
  auto decoded = decode_window(window_key(1, 1000, 0), *raw);
  CAF_REQUIRE(!decoded.has_value());
  CAF_CHECK(decoded.error().code == errc::corruption);
  // The stored bytes themselves are intact.
  db.heal();
  auto good = db.get(family::windows, window_key(1, 1000, 0));
  CAF_REQUIRE(good.has_value());
  CAF_CHECK(decode_window(window_key(1, 1000, 0), *good).has_value());
}

CAF_TEST(a_damaged_series_dictionary_fails_to_load_with_corruption) {
  {
    auto dict = series_dictionary::load(db);
    CAF_REQUIRE(dict.has_value());
    CAF_REQUIRE((*dict)->resolve("G/E//temperature").has_value());
  }
  db.corrupt_values_after(0);
  auto dict = series_dictionary::load(db);
  CAF_REQUIRE(!dict.has_value());
  CAF_CHECK(dict.error().code == errc::corruption);
}

CAF_TEST(describe_names_the_wrapped_storage) {
  CAF_CHECK_EQUAL(db.describe(), "faulty(memory)");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(the_wrapper_works_over_rocksdb_too) {
  scratch_directory dir;
  rocksdb_options o;
  o.path = dir.sub("db");
  o.write_buffer_bytes = 1 << 20;
  o.block_cache_bytes = 1 << 20;
  auto opened = rocksdb_storage::open(o);
  CAF_REQUIRE(opened.has_value());
  std::shared_ptr<storage> inner = std::move(*opened);
  faulty_storage db{inner};
  db.limit_write_bytes(0);
  auto r = db.commit(points_batch(1, 10));
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::no_space);
  CAF_CHECK_EQUAL(count_series(*inner, 1), 0u);
  db.heal();
  CAF_REQUIRE(db.commit(points_batch(1, 10)).has_value());
  CAF_CHECK_EQUAL(count_series(db, 1), 10u);
}
