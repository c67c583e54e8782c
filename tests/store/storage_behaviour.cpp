// Shared checks; see storage_behaviour.hpp. Compiled once, called from each implementation's
// suite.
#include "storage_behaviour.hpp"

#include <caf/test/unit_test.hpp>

#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "value_or_fail.hpp"
#include "store/keys.hpp"
#include "store/values.hpp"

namespace floe::store::behaviour {

using test::value_or_fail;

namespace {

using entries = std::vector<std::pair<std::string, std::string>>;

entries collect(storage& db, scan_range range) {
  entries out;
  auto n = db.scan(range, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  CAF_REQUIRE(n.has_value());
  CAF_CHECK_EQUAL(*n, out.size());
  return out;
}

entries everything(storage& db, family f) {
  return collect(db, scan_range{f, "", ""});
}

void commit_ok(storage& db, const write_batch& batch) {
  auto r = db.commit(batch);
  if (!r)
    CAF_FAIL("commit failed: " << to_string(r.error()));
}

stored_point sample(series_id s, int64_t t, uint16_t seq, double v) {
  stored_point p;
  p.series = s;
  p.timestamp_ms = t;
  p.seq = seq;
  p.value = v;
  return p;
}

point_key_parts parts_of(const std::string& key) {
  auto p = decode_point_key(key);
  CAF_REQUIRE(p.has_value());
  return p.value();
}

window_record window(series_id s, uint64_t width, int64_t start) {
  window_record w;
  w.series = s;
  w.width_ms = width;
  w.start_ms = start;
  w.count = 1;
  w.sum = static_cast<double>(start);
  return w;
}

} // namespace

void committed_puts_are_readable(storage& db) {
  write_batch b;
  b.put(family::registry, "edge/E1", "birth-1");
  b.put(family::alarms, "a1", std::string("\0binary\xFF", 8));
  commit_ok(db, b);
  auto v = db.get(family::registry, "edge/E1");
  CAF_REQUIRE(v.has_value());
  CAF_CHECK_EQUAL(*v, "birth-1");
  auto bin = db.get(family::alarms, "a1");
  CAF_REQUIRE(bin.has_value());
  CAF_CHECK(*bin == std::string("\0binary\xFF", 8));
}

void missing_key_is_not_found(storage& db) {
  auto v = db.get(family::meta, "nothing here");
  CAF_REQUIRE(!v.has_value());
  CAF_CHECK(v.error().code == errc::not_found);
}

void empty_batch_succeeds_and_writes_nothing(storage& db) {
  write_batch b;
  CAF_CHECK(db.commit(b).has_value());
  for (auto f : all_families)
    CAF_CHECK(everything(db, f).empty());
}

void later_operation_on_a_key_wins_within_a_batch(storage& db) {
  write_batch b;
  b.put(family::meta, "k", "first");
  b.put(family::meta, "k", "second");
  b.put(family::meta, "gone", "x");
  b.erase(family::meta, "gone");
  commit_ok(db, b);
  CAF_CHECK_EQUAL(value_or_fail(db.get(family::meta, "k")), "second");
  CAF_CHECK(db.get(family::meta, "gone").error().code == errc::not_found);
}

void erase_removes_only_its_key(storage& db) {
  write_batch b;
  for (auto k : {"a", "b", "c"})
    b.put(family::registry, k, k);
  commit_ok(db, b);
  write_batch e;
  e.erase(family::registry, "b");
  e.erase(family::registry, "never-existed");
  commit_ok(db, e);
  auto all = everything(db, family::registry);
  CAF_REQUIRE_EQUAL(all.size(), 2u);
  CAF_CHECK_EQUAL(all[0].first, "a");
  CAF_CHECK_EQUAL(all[1].first, "c");
}

void families_are_separate_key_spaces(storage& db) {
  write_batch b;
  for (auto f : all_families)
    b.put(f, "same-key", to_string(f));
  commit_ok(db, b);
  for (auto f : all_families) {
    CAF_CHECK_EQUAL(value_or_fail(db.get(f, "same-key")), to_string(f));
    CAF_CHECK_EQUAL(everything(db, f).size(), 1u);
  }
}

void scan_visits_begin_inclusive_end_exclusive_in_byte_order(storage& db) {
  write_batch b;
  // Inserted out of order; bytes >= 0x80 must sort after ASCII (unsigned comparison).
  for (auto k : {"m", "\x90", "a", "b", "ba", "z", "c"})
    b.put(family::alarms, k, std::string("v") + k);
  commit_ok(db, b);
  auto got = collect(db, scan_range{family::alarms, "b", "m"});
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  CAF_CHECK_EQUAL(got[0].first, "b");
  CAF_CHECK_EQUAL(got[1].first, "ba");
  CAF_CHECK_EQUAL(got[2].first, "c");
  CAF_CHECK_EQUAL(got[2].second, "vc");
  auto all = everything(db, family::alarms);
  CAF_REQUIRE_EQUAL(all.size(), 7u);
  CAF_CHECK_EQUAL(all.back().first, "\x90");
}

void scan_with_empty_end_runs_to_the_end_of_the_family(storage& db) {
  write_batch b;
  for (auto k : {"k1", "k2", "k3"})
    b.put(family::meta, k, "");
  b.put(family::registry, "k9", "other family");
  commit_ok(db, b);
  auto got = collect(db, scan_range{family::meta, "k2", ""});
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(got[0].first, "k2");
  CAF_CHECK_EQUAL(got[1].first, "k3");
}

void scan_stops_at_the_limit_or_when_the_visitor_says_so(storage& db) {
  write_batch b;
  for (int i = 0; i < 10; ++i)
    b.put(family::points, std::string(1, static_cast<char>('a' + i)), "");
  commit_ok(db, b);
  scan_range limited{family::points, "", ""};
  limited.limit = 4;
  auto got = collect(db, limited);
  CAF_REQUIRE_EQUAL(got.size(), 4u);
  CAF_CHECK_EQUAL(got[3].first, "d");
  // Resuming after the last key seen continues without a gap or an overlap.
  scan_range rest{family::points, key_after(got.back().first), ""};
  auto tail = collect(db, rest);
  CAF_REQUIRE_EQUAL(tail.size(), 6u);
  CAF_CHECK_EQUAL(tail.front().first, "e");
  std::vector<std::string> seen;
  auto n = db.scan(scan_range{family::points, "", ""}, [&](std::string_view k, std::string_view) {
    seen.emplace_back(k);
    return seen.size() < 2;
  });
  CAF_REQUIRE(n.has_value());
  CAF_CHECK_EQUAL(*n, 2u);
  CAF_CHECK_EQUAL(seen.size(), 2u);
}

void descending_scan_starts_below_end(storage& db) {
  write_batch b;
  for (int t = 0; t < 10; ++t)
    put_point(b, sample(5, t * 1000, 0, t));
  put_point(b, sample(6, 0, 0, 99)); // next series: must not leak into series 5
  commit_ok(db, b);
  // The latest three points of series 5 before t = 7000.
  scan_range latest{family::points, point_range_begin(5, 0), point_range_end(5, 7000)};
  latest.order = scan_order::descending;
  latest.limit = 3;
  auto got = collect(db, latest);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  std::vector<int64_t> times;
  for (auto& [k, v] : got)
    times.push_back(parts_of(k).timestamp_ms);
  CAF_CHECK_EQUAL(times[0], 6000);
  CAF_CHECK_EQUAL(times[1], 5000);
  CAF_CHECK_EQUAL(times[2], 4000);
  // Unbounded descending: the family's last key first.
  scan_range last_of_all{family::points, "", ""};
  last_of_all.order = scan_order::descending;
  last_of_all.limit = 1;
  auto last = collect(db, last_of_all);
  CAF_REQUIRE_EQUAL(last.size(), 1u);
  CAF_CHECK_EQUAL(parts_of(last[0].first).series, 6u);
  // Descending respects begin.
  scan_range lower{family::points, point_range_begin(5, 8000), series_end(5)};
  lower.order = scan_order::descending;
  auto top = collect(db, lower);
  CAF_REQUIRE_EQUAL(top.size(), 2u);
  CAF_CHECK_EQUAL(parts_of(top[1].first).timestamp_ms, 8000);
}

void empty_or_inverted_range_visits_nothing(storage& db) {
  write_batch b;
  for (auto k : {"a", "b", "c"})
    b.put(family::meta, k, "");
  commit_ok(db, b);
  CAF_CHECK(collect(db, scan_range{family::meta, "b", "b"}).empty());
  CAF_CHECK(collect(db, scan_range{family::meta, "c", "a"}).empty());
  scan_range none{family::meta, "", ""};
  none.limit = 0;
  CAF_CHECK(collect(db, none).empty());
  scan_range inverted_desc{family::meta, "c", "a"};
  inverted_desc.order = scan_order::descending;
  CAF_CHECK(collect(db, inverted_desc).empty());
}

void points_scan_in_time_order_across_negative_timestamps(storage& db) {
  std::vector<int64_t> times = {1'700'000'000'000, -86'400'000, 0, -1, 5,
                                std::numeric_limits<int64_t>::min(), 1};
  write_batch b;
  for (auto t : times)
    put_point(b, sample(9, t, 0, static_cast<double>(t)));
  commit_ok(db, b);
  auto got = collect(db, scan_range{family::points, series_prefix(9), series_end(9)});
  CAF_REQUIRE_EQUAL(got.size(), times.size());
  std::sort(times.begin(), times.end());
  for (size_t i = 0; i < got.size(); ++i) {
    auto p = decode_point(got[i].first, got[i].second);
    CAF_REQUIRE(p.has_value());
    CAF_CHECK_EQUAL(p->timestamp_ms, times[i]);
    CAF_CHECK(same_value(p->value, static_cast<double>(times[i])));
  }
}

void rewriting_a_point_duplicates_nothing(storage& db) {
  write_batch b;
  for (uint16_t seq = 0; seq < 3; ++seq)
    put_point(b, sample(2, 1000, seq, seq));
  commit_ok(db, b);
  // The same points again (a replay, a shard hand-over): same keys, nothing added.
  commit_ok(db, b);
  write_batch again;
  put_point(again, sample(2, 1000, 1, 1));
  commit_ok(db, again);
  auto got = everything(db, family::points);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  for (uint16_t seq = 0; seq < 3; ++seq)
    CAF_CHECK_EQUAL(parts_of(got[seq].first).seq, seq);
}

void retention_deletes_exactly_the_points_older_than_the_cutoff(storage& db) {
  const int64_t cutoff = 0;
  write_batch b;
  std::set<std::pair<series_id, int64_t>> expected;
  for (series_id s : {series_id{1}, series_id{2}, series_id{300}, series_id{70'000}}) {
    for (int64_t t : {std::numeric_limits<int64_t>::min(), int64_t{-5000}, int64_t{-1},
                      cutoff, int64_t{1}, int64_t{4000}}) {
      for (uint16_t seq : {uint16_t{0}, uint16_t{65535}}) {
        put_point(b, sample(s, t, seq, 1.0));
        if (t >= cutoff)
          expected.emplace(s, t);
      }
    }
  }
  // A series with nothing old must come through untouched.
  put_point(b, sample(400, 10, 0, 1.0));
  expected.emplace(400, 10);
  commit_ok(db, b);
  CAF_REQUIRE(db.delete_older_than(family::points, cutoff).has_value());
  std::set<std::pair<series_id, int64_t>> left;
  size_t count = 0;
  for (auto& [k, v] : everything(db, family::points)) {
    auto p = decode_point_key(k);
    CAF_REQUIRE(p.has_value());
    left.emplace(p->series, p->timestamp_ms);
    ++count;
  }
  CAF_CHECK(left == expected);
  CAF_CHECK_EQUAL(count, 4u * 3u * 2u + 1u);
  // Running it again deletes nothing more.
  CAF_REQUIRE(db.delete_older_than(family::points, cutoff).has_value());
  CAF_CHECK_EQUAL(everything(db, family::points).size(), count);
  // Windows are a different family: untouched by a points cutoff.
}

void retention_deletes_windows_that_end_by_the_cutoff(storage& db) {
  const int64_t cutoff = 120'000;
  write_batch b;
  // Series 1, 60 s windows: [0,60k) and [60k,120k) end by the cutoff; [120k,..) does not.
  for (int64_t start : {int64_t{0}, int64_t{60'000}, int64_t{120'000}})
    CAF_REQUIRE(put_window(b, window(1, 60'000, start)).has_value());
  // Series 1, 1 h windows: [0, 3.6M) still covers time after the cutoff: kept.
  CAF_REQUIRE(put_window(b, window(1, 3'600'000, 0)).has_value());
  // Series 1, 1 h window that ended long before: deleted.
  CAF_REQUIRE(put_window(b, window(1, 3'600'000, -3'600'000)).has_value());
  // Series 2, 10 s windows: [100k,110k) and [110k,120k) deleted, [115k,125k) kept.
  for (int64_t start : {int64_t{100'000}, int64_t{110'000}, int64_t{115'000}})
    CAF_REQUIRE(put_window(b, window(2, 10'000, start)).has_value());
  commit_ok(db, b);
  CAF_REQUIRE(db.delete_older_than(family::windows, cutoff).has_value());
  std::set<std::tuple<series_id, uint64_t, int64_t>> left;
  for (auto& [k, v] : everything(db, family::windows)) {
    auto w = decode_window(k, v);
    CAF_REQUIRE(w.has_value());
    left.emplace(w->series, w->width_ms, w->start_ms);
  }
  std::set<std::tuple<series_id, uint64_t, int64_t>> expected = {
    {1, 60'000, 120'000}, {1, 3'600'000, 0}, {2, 10'000, 115'000}};
  CAF_CHECK(left == expected);
}

void retention_of_other_families_is_invalid_argument(storage& db) {
  write_batch b;
  b.put(family::registry, point_key(1, -1, 0), "x");
  commit_ok(db, b);
  for (auto f : {family::registry, family::alarms, family::meta}) {
    auto r = db.delete_older_than(f, 0);
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK(r.error().code == errc::invalid_argument);
  }
  CAF_CHECK_EQUAL(everything(db, family::registry).size(), 1u);
}

void retention_leaves_foreign_short_keys_alone(storage& db) {
  write_batch b;
  b.put(family::points, "", "empty key");
  b.put(family::points, "abc", "too short for a series id");
  put_point(b, sample(1, -10, 0, 1));
  commit_ok(db, b);
  CAF_REQUIRE(db.delete_older_than(family::points, 0).has_value());
  auto left = everything(db, family::points);
  CAF_REQUIRE_EQUAL(left.size(), 2u);
  CAF_CHECK_EQUAL(left[0].first, "");
  CAF_CHECK_EQUAL(left[1].first, "abc");
}

void approximate_size_grows_with_data(storage& db) {
  auto before = db.approximate_size(family::points);
  CAF_REQUIRE(before.has_value());
  write_batch b;
  for (int i = 0; i < 2000; ++i)
    put_point(b, sample(3, i, 0, i * 0.5));
  commit_ok(db, b);
  auto after = db.approximate_size(family::points);
  CAF_REQUIRE(after.has_value());
  CAF_CHECK_GREATER(*after, *before);
  auto other = db.approximate_size(family::alarms);
  CAF_REQUIRE(other.has_value());
  CAF_CHECK_LESS(*other, *after);
}

void unknown_family_index_is_invalid_argument(storage& db) {
  auto bogus = static_cast<family>(family_count + 2);
  CAF_CHECK(db.get(bogus, "k").error().code == errc::invalid_argument);
  CAF_CHECK(db.scan(scan_range{bogus, "", ""}, [](auto, auto) { return true; }).error().code
            == errc::invalid_argument);
  CAF_CHECK(db.approximate_size(bogus).error().code == errc::invalid_argument);
  write_batch b;
  b.put(family::meta, "ok", "1");
  b.put(bogus, "k", "v");
  auto r = db.commit(b);
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::invalid_argument);
  // Nothing of the rejected batch was applied.
  CAF_CHECK(db.get(family::meta, "ok").error().code == errc::not_found);
}

} // namespace floe::store::behaviour
