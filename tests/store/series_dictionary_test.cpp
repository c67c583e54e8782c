#define CAF_SUITE series_dictionary
#include <caf/test/unit_test.hpp>

#include "value_or_fail.hpp"
#include <algorithm>
#include <set>
#include <thread>

#include "config/defaults.hpp"
#include "scratch_directory.hpp"
#include "store/faulty_storage.hpp"
#include "store/memory_storage.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/series_dictionary.hpp"

using namespace floe::store;
using floe::store::test::value_or_fail;
using floe::store::test::scratch_directory;

namespace {

// Records how each batch was committed, then hands it on.
class recording_storage final : public storage {
public:
  memory_storage inner;
  std::vector<bool> sync_required; // per commit
  std::vector<bool> wal_required;  // per commit

  result<void> commit(const write_batch& batch) override {
    sync_required.push_back(batch.sync_required());
    wal_required.push_back(batch.wal_required());
    return inner.commit(batch);
  }
  result<std::string> get(family f, std::string_view key) override { return inner.get(f, key); }
  result<size_t> scan(const scan_range& r, const scan_visitor& v) override {
    return inner.scan(r, v);
  }
  result<uint64_t> approximate_size(family f) override { return inner.approximate_size(f); }
  result<void> delete_older_than(family f, int64_t c) override {
    return inner.delete_older_than(f, c);
  }
  std::string describe() const override { return "recording"; }
};

std::unique_ptr<series_dictionary> load_or_fail(storage& db) {
  auto d = series_dictionary::load(db);
  if (!d)
    CAF_FAIL("load failed: " << to_string(d.error()));
  return std::move(*d);
}

std::string be32(uint32_t v) {
  std::string out;
  append_be32(out, v);
  return out;
}

errc load_error(storage& db) {
  auto d = series_dictionary::load(db);
  CAF_REQUIRE(!d.has_value());
  return d.error().code;
}

} // namespace

CAF_TEST(series_names_join_ids_with_slashes_and_keep_slashes_in_metrics) {
  CAF_CHECK_EQUAL(series_name("Ice Plant", "Compressor House", "C3", "Motor/Current"),
                  "Ice Plant/Compressor House/C3/Motor/Current");
  CAF_CHECK_EQUAL(series_name("G", "E", "", "Node Control/Rebirth"), "G/E//Node Control/Rebirth");
}

CAF_TEST(new_names_get_consecutive_ids_and_known_names_keep_theirs) {
  memory_storage db;
  auto dict = load_or_fail(db);
  CAF_CHECK_EQUAL(dict->size(), 0u);
  auto a = dict->resolve("G/E/D/a");
  auto b = dict->resolve("G/E/D/b");
  auto a_again = dict->resolve("G/E/D/a");
  CAF_REQUIRE(a && b && a_again);
  CAF_CHECK_EQUAL(a.value(), first_series_id);
  CAF_CHECK_EQUAL(b.value(), first_series_id + 1);
  CAF_CHECK_EQUAL(a_again.value(), a.value());
  CAF_CHECK_EQUAL(dict->size(), 2u);
  CAF_CHECK_EQUAL(value_or_fail(dict->find("G/E/D/b")), b.value());
  CAF_CHECK(!dict->find("G/E/D/c").has_value());
  CAF_CHECK_EQUAL(value_or_fail(dict->name_of(a.value())), "G/E/D/a");
  CAF_CHECK(!dict->name_of(99).has_value());
}

CAF_TEST(assignments_go_through_the_wal_before_the_id_is_returned) {
  recording_storage db;
  auto dict = load_or_fail(db);
  CAF_REQUIRE(dict->resolve("G/E//m").has_value());
  CAF_REQUIRE_EQUAL(db.sync_required.size(), 1u);
  // Through the WAL even when the store runs without one, but no fsync of its own: the points
  // under the id come in later batches, whose sync makes the assignment durable too.
  CAF_CHECK(db.wal_required[0]);
  CAF_CHECK(!db.sync_required[0]);
  // The assignment is in storage by the time resolve returns.
  CAF_CHECK(db.inner.get(family::meta, "series/name/G/E//m").has_value());
  // Known names cause no commit.
  CAF_REQUIRE(dict->resolve("G/E//m").has_value());
  CAF_CHECK_EQUAL(db.sync_required.size(), 1u);
}

CAF_TEST(resolving_a_birth_commits_once_for_all_new_names) {
  recording_storage db;
  auto dict = load_or_fail(db);
  CAF_REQUIRE(dict->resolve("G/E//known").has_value());
  std::vector<std::string> names = {"G/E//known"};
  for (int i = 0; i < 300; ++i)
    names.push_back("G/E/D/metric " + std::to_string(i));
  names.push_back("G/E/D/metric 7"); // repeated within the birth
  auto ids = dict->resolve_all(names);
  CAF_REQUIRE(ids.has_value());
  CAF_CHECK_EQUAL(db.sync_required.size(), 2u);
  CAF_REQUIRE_EQUAL(ids->size(), names.size());
  CAF_CHECK_EQUAL((*ids)[0], first_series_id);
  CAF_CHECK_EQUAL((*ids)[1], first_series_id + 1);
  CAF_CHECK_EQUAL((*ids)[300], first_series_id + 300);
  CAF_CHECK_EQUAL(ids->back(), (*ids)[8]);
  CAF_CHECK_EQUAL(dict->size(), 301u);
}

CAF_TEST(reload_recovers_every_assignment_and_continues_after_the_highest_id) {
  memory_storage db;
  {
    auto dict = load_or_fail(db);
    CAF_REQUIRE(dict->resolve_all({"a", "b", "c"}).has_value());
  }
  auto dict = load_or_fail(db);
  CAF_CHECK_EQUAL(dict->size(), 3u);
  CAF_CHECK_EQUAL(value_or_fail(dict->find("c")), first_series_id + 2);
  CAF_CHECK_EQUAL(value_or_fail(dict->resolve("d")), first_series_id + 3);
}

CAF_TEST(assignments_survive_a_rocksdb_reopen) {
  scratch_directory dir;
  rocksdb_options o;
  o.path = dir.sub("db");
  o.write_buffer_bytes = 1 << 20;
  o.block_cache_bytes = 1 << 20;
  series_id rebirth = 0;
  {
    auto db = rocksdb_storage::open(o);
    CAF_REQUIRE(db.has_value());
    auto dict = load_or_fail(**db);
    CAF_REQUIRE(dict->resolve("Ice Plant/Brine Tank 1//Temperature").has_value());
    rebirth = *dict->resolve(series_name("Ice Plant", "Brine Tank 1", "", "Node Control/Rebirth"));
  }
  auto db = rocksdb_storage::open(o);
  CAF_REQUIRE(db.has_value());
  auto dict = load_or_fail(**db);
  CAF_CHECK_EQUAL(dict->size(), 2u);
  const std::string name = "Ice Plant/Brine Tank 1//Node Control/Rebirth";
  CAF_CHECK_EQUAL(value_or_fail(dict->find(name)), rebirth);
  CAF_CHECK_EQUAL(value_or_fail(dict->name_of(rebirth)), name);
}

CAF_TEST(a_failed_commit_leaves_the_name_unassigned_and_the_id_unused) {
  auto inner = std::make_shared<memory_storage>();
  faulty_storage db{inner};
  auto dict = load_or_fail(db);
  db.fail_commits_after(0, errc::no_space);
  auto r = dict->resolve("G/E//m");
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().code == errc::no_space);
  CAF_CHECK(!dict->find("G/E//m").has_value());
  CAF_CHECK_EQUAL(dict->size(), 0u);
  db.heal();
  auto again = dict->resolve("G/E//other");
  CAF_REQUIRE(again.has_value());
  CAF_CHECK_EQUAL(again.value(), first_series_id);
  // A reload agrees with what the dictionary handed out.
  auto reloaded = load_or_fail(db);
  CAF_CHECK_EQUAL(reloaded->size(), 1u);
}

CAF_TEST(empty_and_oversized_names_are_invalid_argument) {
  recording_storage db;
  auto dict = load_or_fail(db);
  auto empty = dict->resolve("");
  CAF_REQUIRE(!empty.has_value());
  CAF_CHECK(empty.error().code == errc::invalid_argument);
  std::string huge(floe::defaults::store::max_series_name_bytes + 1, 'x');
  auto big = dict->resolve_all({"fine", huge});
  CAF_REQUIRE(!big.has_value());
  CAF_CHECK(big.error().code == errc::invalid_argument);
  // Nothing of the rejected call was assigned or written.
  CAF_CHECK(!dict->find("fine").has_value());
  CAF_CHECK(db.sync_required.empty());
  std::string longest(floe::defaults::store::max_series_name_bytes, 'x');
  CAF_CHECK(dict->resolve(longest).has_value());
}

CAF_TEST(inconsistent_stored_entries_are_corruption) {
  {
    memory_storage db; // an id of the wrong size
    write_batch b;
    b.put(family::meta, "series/name/a", "\x01");
    CAF_REQUIRE(db.commit(b).has_value());
    CAF_CHECK(load_error(db) == errc::corruption);
  }
  {
    memory_storage db; // id 0 is never assigned
    write_batch b;
    b.put(family::meta, "series/name/a", be32(0));
    b.put(family::meta, "series/id/" + be32(0), "a");
    CAF_REQUIRE(db.commit(b).has_value());
    CAF_CHECK(load_error(db) == errc::corruption);
  }
  {
    memory_storage db; // two names with one id
    write_batch b;
    b.put(family::meta, "series/name/a", be32(5));
    b.put(family::meta, "series/name/b", be32(5));
    b.put(family::meta, "series/id/" + be32(5), "a");
    CAF_REQUIRE(db.commit(b).has_value());
    CAF_CHECK(load_error(db) == errc::corruption);
  }
  {
    memory_storage db; // the reverse entry names someone else
    write_batch b;
    b.put(family::meta, "series/name/a", be32(5));
    b.put(family::meta, "series/id/" + be32(5), "b");
    CAF_REQUIRE(db.commit(b).has_value());
    CAF_CHECK(load_error(db) == errc::corruption);
  }
  {
    memory_storage db; // the reverse entry is missing
    write_batch b;
    b.put(family::meta, "series/name/a", be32(5));
    CAF_REQUIRE(db.commit(b).has_value());
    CAF_CHECK(load_error(db) == errc::corruption);
  }
  {
    memory_storage db; // consistent entries with a gap: the next id follows the highest
    write_batch b;
    b.put(family::meta, "series/name/a", be32(10));
    b.put(family::meta, "series/id/" + be32(10), "a");
    b.put(family::meta, "other/bookkeeping", "left alone");
    CAF_REQUIRE(db.commit(b).has_value());
    auto dict = load_or_fail(db);
    CAF_CHECK_EQUAL(value_or_fail(dict->resolve("b")), 11u);
  }
}

CAF_TEST(concurrent_resolvers_agree_on_every_id) {
  memory_storage db;
  auto dict = load_or_fail(db);
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i)
    names.push_back("G/E/D" + std::to_string(i % 7) + "/m" + std::to_string(i));
  std::vector<std::vector<series_id>> seen(4, std::vector<series_id>(names.size()));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the names in its own order, one by one and in batches.
      for (size_t k = 0; k < names.size(); ++k) {
        size_t i = t % 2 == 0 ? k : names.size() - 1 - k;
        // Checks run after join: CAF's checks are not thread-safe. 0 marks a failure.
        if (t == 3) {
          if (auto ids = dict->resolve_all({names[i]}))
            seen[t][i] = ids->front();
        } else if (auto id = dict->resolve(names[i])) {
          seen[t][i] = *id;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  std::set<series_id> ids;
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t t = 1; t < seen.size(); ++t)
      CAF_CHECK_EQUAL(seen[t][i], seen[0][i]);
    ids.insert(seen[0][i]);
  }
  CAF_CHECK_EQUAL(ids.size(), names.size());
  CAF_CHECK_EQUAL(*ids.begin(), first_series_id);
  CAF_CHECK_EQUAL(*ids.rbegin(), first_series_id + names.size() - 1);
  CAF_CHECK_EQUAL(load_or_fail(db)->size(), names.size());
}
