// The query actor in front of a whole single-node pipeline on CAF's test coordinator:
// directory + supervisor + device actors + store_writer (memory storage) + a window
// aggregator reading raw points back from the same storage + alarm book.
#define FAIL(msg) CAF_FAIL(msg)
#define CAF_SUITE host_queries
#include <caf/test/dsl.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../host/session_fixture.hpp"
#include "actors/alarms/alarm_book.hpp"
#include "actors/host/edge_node_directory.hpp"
#include "actors/host/edge_node_supervisor.hpp"
#include "actors/query/query_actor.hpp"
#include "actors/storage/store_point_source.hpp"
#include "actors/storage/store_writer.hpp"
#include "actors/windows/window_aggregator.hpp"
#include "store/memory_storage.hpp"
#include "store/series_dictionary.hpp"

using namespace floe;
using namespace floe::host;
using namespace floe::host::test;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<store::memory_storage> db = std::make_shared<store::memory_storage>();
  std::shared_ptr<store::series_dictionary> dictionary;
  storage_actors::store_writer_actor writer;
  windows::window_aggregator_actor aggregator;
  directory_actor directory;
  supervisor_actor sup;
  query::query_actor q;
  caf::actor book;

  // The writer and the aggregator hold each other (sink / window routes): without explicit
  // exits neither would ever terminate and the actor system would wait for them forever.
  ~fixture() {
    for (auto& h : std::vector<caf::actor>{caf::actor_cast<caf::actor>(writer),
                                           caf::actor_cast<caf::actor>(aggregator),
                                           caf::actor_cast<caf::actor>(directory),
                                           caf::actor_cast<caf::actor>(sup),
                                           caf::actor_cast<caf::actor>(q), book})
      anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  int64_t now_ms() {
    return start_ms
           + std::chrono::duration_cast<std::chrono::milliseconds>(
               sched.clock().now().time_since_epoch())
               .count();
  }

  fixture() {
    dictionary = std::move(*store::series_dictionary::load(*db));
    storage_actors::store_writer_setup ws;
    ws.db = db;
    ws.retention_interval_ms = 0;
    ws.now_ms = [this] { return now_ms(); };
    writer = sys.spawn(storage_actors::store_writer, ws);
    windows::aggregator_setup as;
    as.raw = std::make_shared<storage_actors::store_point_source>(db);
    as.sink = writer;
    as.tick_interval_ms = 0;
    as.config.widths_ms = {10'000};
    aggregator = *windows::spawn_window_aggregator(sys, as);
    self->send(writer, storage_actors::window_routes{{aggregator}});
    book = caf::actor_cast<caf::actor>(
      sys.spawn(alarms::alarm_book, writer, size_t{100}, std::vector<alarms::alarm_view>{}));
    directory = sys.spawn(edge_node_directory, int64_t{1'000});
    auto ctx = std::make_shared<host_context>();
    ctx->now_ms = [this] { return now_ms(); };
    ctx->dictionary = dictionary;
    ctx->writer = writer;
    ctx->alarm_book = caf::actor_cast<alarms::alarm_book_actor>(book);
    sup = sys.spawn(edge_node_supervisor, host_context_ptr{ctx}, std::string{"G"},
                    std::string{"E"});
    self->send(directory, caf::put_atom::value, std::string{"G"}, std::string{"E"}, sup);
    query::query_setup qs;
    qs.host_id = "test";
    qs.now_ms = [this] { return now_ms(); };
    qs.directory = directory;
    qs.alarm_book = caf::actor_cast<alarms::alarm_book_actor>(book);
    qs.writer = writer;
    qs.aggregators = {aggregator};
    qs.db = db;
    qs.dictionary = dictionary;
    qs.window_widths_ms = {10'000};
    q = sys.spawn(query::query_behavior, qs);
    sched.run();
  }

  void deliver(mt type, const payload& p, std::string device = {}) {
    auto bytes = encode_payload(p);
    CAF_REQUIRE(bytes.has_value());
    self->send(sup, raw_message{static_cast<uint8_t>(type), std::move(device), *bytes, now_ms(), {}});
    sched.run();
  }

  // Temp values 1, 2, ..., n at birth_ms + 1 s, + 2 s, ... (after the birth value 20.5).
  void born_and_reporting(int n) {
    deliver(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 20.5, 1)}));
    for (int i = 1; i <= n; ++i)
      deliver(mt::ndata, with(static_cast<uint64_t>(i), {by_alias(1, double(i))},
                              birth_ms + 1'000 * static_cast<uint64_t>(i)));
    ask<uint64_t>(writer, storage_actors::sync_atom::value);
    sched.run();
  }

  query::history_request temp_history(int64_t width_ms) {
    query::history_request rq;
    rq.group = "G";
    rq.edge_node = "E";
    rq.metric = "Temp";
    rq.from_ms = static_cast<int64_t>(birth_ms);
    rq.to_ms = static_cast<int64_t>(birth_ms) + 60'000;
    rq.width_ms = width_ms;
    return rq;
  }

  // A request answered without letting virtual time pass (run() would also fire every pending
  // timeout, including the aggregators' and the requests' own).
  template <class T, class Handle, class... Ts>
  T ask(const Handle& hdl, Ts&&... xs) {
    T out{};
    auto pending = self->request(hdl, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    pending.receive([&](T& x) { out = std::move(x); },
                    [&](caf::error& e) { CAF_FAIL("request failed: " << sys.render(e)); });
    return out;
  }

  // The error a request ends with (none if it succeeds).
  caf::error error_of_history(const query::history_request& rq) {
    caf::error result;
    auto pending = self->request(q, caf::infinite, query::history_atom::value, rq);
    sched.run(); // the reply is in self's mailbox afterwards
    pending.receive([](const query::history_reply&) {}, [&](caf::error& e) { result = e; });
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(host_query_tests, fixture)

CAF_TEST(list shows the edge node with its session state) {
  born_and_reporting(2);
  auto nodes = ask<std::vector<edge_node_summary>>(q, list_atom::value);
  CAF_REQUIRE_EQUAL(nodes.size(), 1u);
  CAF_CHECK_EQUAL(nodes[0].edge_node, "E");
  CAF_CHECK(nodes[0].online);
  CAF_CHECK_EQUAL(nodes[0].bdseq, 7);
  CAF_CHECK_EQUAL(nodes[0].messages, 3u);
}

CAF_TEST(device query is routed to the owning supervisor) {
  born_and_reporting(3);
  auto v = ask<device_state_view>(q, caf::get_atom::value, std::string{"G"},
                                      std::string{"E"}, std::string{""});
  bool found = false;
  for (auto& m : v.metrics)
    if (m.name == "Temp") {
      found = true;
      CAF_CHECK_EQUAL(m.value, "3");
      CAF_CHECK(m.numeric);
    }
  CAF_CHECK(found);
}

CAF_TEST(raw history returns the stored points in time order) {
  born_and_reporting(4);
  auto h = ask<query::history_reply>(q, query::history_atom::value, temp_history(0));
  CAF_CHECK_EQUAL(h.series, "G/E//Temp");
  CAF_REQUIRE_EQUAL(h.points.size(), 5u); // birth value + 4
  CAF_CHECK_EQUAL(h.points[0].value, "20.5");
  CAF_CHECK_EQUAL(h.points[4].number, 4.0);
  CAF_CHECK(!h.truncated);
  auto limited = temp_history(0);
  limited.limit = 2;
  auto cut = ask<query::history_reply>(q, query::history_atom::value, limited);
  CAF_CHECK_EQUAL(cut.points.size(), 2u);
  CAF_CHECK(cut.truncated);
}

CAF_TEST(window history merges stored windows with the open one) {
  // birth_ms is a multiple of 10 s: values 20.5 (t+0), 1..9 (t+1..9 s) fill [t, t+10 s);
  // 10..12 arrive in the next window; the first closes once t+10 s + lateness has passed.
  born_and_reporting(17);
  auto h = ask<query::history_reply>(q, query::history_atom::value, temp_history(10'000));
  CAF_REQUIRE(h.windows.size() >= 2u);
  auto& first = h.windows[0];
  CAF_CHECK(!first.open);
  CAF_CHECK_EQUAL(first.count, 10u);
  CAF_CHECK_EQUAL(first.max, 20.5);
  CAF_CHECK_EQUAL(first.min, 1.0);
  CAF_CHECK_EQUAL(first.sum, 20.5 + 45.0);
  auto& second = h.windows[1];
  CAF_CHECK(second.open);
  CAF_CHECK_EQUAL(second.first, 10.0);
  CAF_CHECK_EQUAL(second.count, 8u);
}

CAF_TEST(unknown metric and unconfigured width are errors that name the request) {
  born_and_reporting(1);
  auto unknown = temp_history(0);
  unknown.metric = "Nope";
  auto e = error_of_history(unknown);
  CAF_CHECK(e);
  CAF_CHECK_NOT_EQUAL(sys.render(e).find("G/E//Nope"), std::string::npos);
  auto e2 = error_of_history(temp_history(60'000));
  CAF_CHECK(e2);
  CAF_CHECK_NOT_EQUAL(sys.render(e2).find("60000"), std::string::npos);
}

CAF_TEST(unknown edge node is an error) {
  caf::error result;
  auto pending = self->request(q, caf::infinite, caf::get_atom::value, std::string{"G"},
                               std::string{"X"}, std::string{"D"});
  sched.run();
  pending.receive([](const device_state_view&) {}, [&](caf::error& e) { result = e; });
  CAF_CHECK_NOT_EQUAL(sys.render(result).find("unknown edge node G/X"), std::string::npos);
}

CAF_TEST(statistics gather counters of every part) {
  born_and_reporting(3);
  auto s = ask<query::node_stats>(q, query::stats_atom::value);
  CAF_CHECK_EQUAL(s.edge_nodes_online, 1u);
  CAF_CHECK_EQUAL(s.store.points_committed, 6u); // bdSeq, Rebirth, Temp + 3 values
  CAF_CHECK_EQUAL(s.sparkplug_messages, 4u);
  CAF_CHECK(s.open_windows >= 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
