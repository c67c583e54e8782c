// The store_writer on CAF's test coordinator over a fault-injecting store: a full disk costs
// nothing that was sent, new points queue up to the bound, and everything is committed once
// the disk has room again.
#define FAIL(msg) CAF_FAIL(msg)
#define CAF_SUITE store_writer
#include <caf/test/dsl.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "actors/storage/store_writer.hpp"
#include "store/faulty_storage.hpp"
#include "store/keys.hpp"
#include "store/memory_storage.hpp"

using namespace floe;
using namespace floe::storage_actors;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<store::memory_storage> inner = std::make_shared<store::memory_storage>();
  std::shared_ptr<store::faulty_storage> disk = std::make_shared<store::faulty_storage>(inner);
  store_writer_actor writer;

  explicit fixture(size_t max_pending = 1'000) {
    store_writer_setup ws;
    ws.db = disk;
    ws.retention_interval_ms = 0;
    ws.max_pending_points = max_pending;
    ws.retry_min_ms = 100;
    ws.retry_max_ms = 400;
    ws.now_ms = [] { return int64_t{1'700'000'000'000}; };
    writer = sys.spawn(store_writer, ws);
    sched.run();
  }

  ~fixture() {
    anon_send_exit(writer, caf::exit_reason::user_shutdown);
    sched.run();
  }

  // `n` points of series 1 at timestamps from, from + 1, ...
  void send_points(int64_t from, size_t n) {
    point_records recs;
    for (size_t i = 0; i < n; ++i) {
      store::stored_point p;
      p.series = 1;
      p.timestamp_ms = from + static_cast<int64_t>(i);
      p.value = static_cast<double>(i);
      recs.points.push_back(p);
    }
    self->send(writer, std::move(recs));
    sched.run();
  }

  store_stats stats() {
    auto pending = self->request(writer, caf::infinite, stats_atom::value);
    sched.run();
    store_stats out;
    pending.receive([&](store_stats& s) { out = std::move(s); },
                    [&](caf::error& e) { CAF_FAIL("stats: " << sys.render(e)); });
    return out;
  }

  size_t stored_points() {
    size_t n = 0;
    store::scan_range r{store::family::points, store::series_prefix(1), store::series_end(1)};
    CAF_REQUIRE(inner->scan(r, [&](std::string_view, std::string_view) {
      ++n;
      return true;
    }).has_value());
    return n;
  }

  // Lets the writer's retry timer fire.
  void let_time_pass(std::chrono::milliseconds d) {
    sched.advance_time(d);
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(store_writer_tests, fixture)

CAF_TEST(points are committed once the mailbox is drained) {
  send_points(0, 10);
  auto s = stats();
  CAF_CHECK_EQUAL(s.points_committed, 10u);
  CAF_CHECK_EQUAL(s.points_pending, 0u);
  CAF_CHECK_EQUAL(stored_points(), 10u);
}

CAF_TEST(a full disk keeps the batch and commits it once space is freed) {
  disk->limit_write_bytes(0);
  send_points(0, 10);
  auto s = stats();
  CAF_CHECK_EQUAL(s.points_committed, 0u);
  CAF_CHECK_EQUAL(s.points_pending, 10u);
  CAF_CHECK(s.commit_failures >= 1u);
  CAF_CHECK_NOT_EQUAL(s.last_error.find("no_space"), std::string::npos);
  send_points(10, 5); // still accepted while the disk is full
  CAF_CHECK_EQUAL(stats().points_pending, 15u);
  CAF_CHECK_EQUAL(stored_points(), 0u);
  disk->heal();
  let_time_pass(std::chrono::milliseconds(500));
  s = stats();
  CAF_CHECK_EQUAL(s.points_committed, 15u);
  CAF_CHECK_EQUAL(s.points_pending, 0u);
  CAF_CHECK_EQUAL(s.points_dropped, 0u);
  CAF_CHECK_EQUAL(stored_points(), 15u);
}

CAF_TEST(beyond the pending bound new points are dropped and counted) {
  disk->limit_write_bytes(0);
  send_points(0, 900);
  send_points(1'000, 200); // 900 + 200 > 1000: refused whole
  auto s = stats();
  CAF_CHECK_EQUAL(s.points_pending, 900u);
  CAF_CHECK_EQUAL(s.points_dropped, 200u);
  disk->heal();
  let_time_pass(std::chrono::milliseconds(500));
  CAF_CHECK_EQUAL(stored_points(), 900u);
}

CAF_TEST_FIXTURE_SCOPE_END()
