// The host actors together on CAF's test coordinator: an edge_node_supervisor with its device
// actors, a real store_writer on memory storage, the alarm book, and a fake MQTT publisher.
// Time is the coordinator's virtual clock (wall clock = base + virtual time), so reorder
// timeouts and alarm delays are driven deterministically.
#define FAIL(msg) CAF_FAIL(msg)
#define CAF_SUITE host_actors
#include <caf/test/dsl.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../host/session_fixture.hpp"
#include "actors/alarms/alarm_book.hpp"
#include "actors/alarms/rule_set.hpp"
#include "actors/host/edge_node_supervisor.hpp"
#include "actors/storage/store_writer.hpp"
#include "store/memory_storage.hpp"
#include "store/series_dictionary.hpp"

using namespace floe;
using namespace floe::host;
using namespace floe::host::test;
using namespace std::chrono_literals;

namespace {

constexpr int64_t wall_base_ms = start_ms;

// Offline rules for the node and its devices, and a high threshold on "Temp".
constexpr const char* rules_json = R"({ "rules": [
  { "name": "node_down", "kind": "offline", "severity": "critical",
    "match": { "scope": "node" }, "message": "{edge_node} offline" },
  { "name": "temp_high", "kind": "high", "severity": "warning",
    "match": { "metric": "Temp" }, "threshold": 50, "deadband": 1,
    "message": "{metric} {value}" } ] })";

struct published {
  std::string topic;
  sparkplug::payload payload;
};

struct fixture : test_coordinator_fixture<> {
  std::shared_ptr<store::memory_storage> db = std::make_shared<store::memory_storage>();
  std::shared_ptr<store::series_dictionary> dictionary;
  std::shared_ptr<std::vector<published>> sent = std::make_shared<std::vector<published>>();
  storage_actors::store_writer_actor writer;
  alarms::alarm_book_actor book;
  supervisor_actor sup;
  // Measured only (no bound): the tests below read what the messages in flight hold.
  std::shared_ptr<pipeline_backlog> backlog = std::make_shared<pipeline_backlog>(0);

  fixture() {
    auto d = store::series_dictionary::load(*db);
    CAF_REQUIRE(d.has_value());
    dictionary = std::move(*d);
    storage_actors::store_writer_setup ws;
    ws.db = db;
    ws.retention_interval_ms = 0;
    ws.now_ms = [this] { return now_ms(); };
    ws.backlog = backlog;
    writer = sys.spawn(storage_actors::store_writer, ws);
    book = sys.spawn(alarms::alarm_book, writer, size_t{100},
                     std::vector<alarms::alarm_view>{});
    auto rules = alarms::rule_set::parse(rules_json, "test rules");
    CAF_REQUIRE(rules.has_value());
    auto ctx = std::make_shared<host_context>();
    ctx->now_ms = [this] { return now_ms(); };
    auto out = sent;
    ctx->publish = [out](const std::string& topic, const std::string& bytes) {
      auto p = sparkplug::decode_payload(bytes);
      CAF_REQUIRE(p.has_value());
      out->push_back({topic, std::move(*p)});
    };
    ctx->dictionary = dictionary;
    ctx->rules = std::make_shared<const alarms::rule_set>(std::move(*rules));
    ctx->writer = writer;
    ctx->alarm_book = book;
    ctx->backlog = backlog;
    sup = sys.spawn(edge_node_supervisor, host_context_ptr{ctx}, std::string{"G"},
                    std::string{"E"});
    sched.run();
  }

  int64_t now_ms() {
    return wall_base_ms
           + std::chrono::duration_cast<std::chrono::milliseconds>(
               sched.clock().now().time_since_epoch())
               .count();
  }

  void deliver(mt type, const payload& p, std::string device = {}) {
    auto bytes = encode_payload(p);
    CAF_REQUIRE(bytes.has_value());
    self->send(sup, raw_message{static_cast<uint8_t>(type), std::move(device), *bytes, now_ms(), {}});
    sched.run();
  }

  void born_with_device() {
    deliver(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 20.5, 1)}));
    deliver(mt::dbirth, with(1, {def("Level", datatype::int32, int64_t{3}, 10)}), "D1");
  }

  uint64_t committed() {
    request<uint64_t>(writer, storage_actors::sync_atom::value);
    return request<storage_actors::store_stats>(writer, storage_actors::stats_atom::value)
      .points_committed;
  }

  device_state_view device(const std::string& id) {
    return request<device_state_view>(sup, caf::get_atom::value, id);
  }

  const metric_view* metric_of(const device_state_view& v, const std::string& name) {
    for (auto& m : v.metrics)
      if (m.name == name)
        return &m;
    return nullptr;
  }

  size_t rebirths_sent() const {
    size_t n = 0;
    for (auto& s : *sent)
      if (s.topic == "spBv1.0/G/NCMD/E")
        ++n;
    return n;
  }

  // Points stored for one series, in time order.
  std::vector<store::stored_point> stored(const std::string& device, const std::string& metric) {
    std::vector<store::stored_point> out;
    auto id = dictionary->find(store::series_name("G", "E", device, metric));
    if (!id)
      return out;
    store::scan_range r{store::family::points, store::series_prefix(*id), store::series_end(*id)};
    auto n = db->scan(r, [&](std::string_view k, std::string_view v) {
      auto p = store::decode_point(k, v);
      CAF_REQUIRE(p.has_value());
      out.push_back(*p);
      return true;
    });
    CAF_REQUIRE(n.has_value());
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(host_actor_tests, fixture)

CAF_TEST(birth and data values become committed points and current values) {
  born_with_device();
  deliver(mt::ddata, with(2, {by_alias(10, uint64_t{42})}, birth_ms + 500), "D1");
  // NBIRTH: bdSeq, Node Control/Rebirth, Temp; DBIRTH: Level; DDATA: Level.
  CAF_CHECK_EQUAL(committed(), 5u);
  auto d1 = device("D1");
  CAF_CHECK(d1.online);
  auto* level = metric_of(d1, "Level");
  CAF_REQUIRE(level != nullptr);
  CAF_CHECK_EQUAL(level->value, "42");
  CAF_CHECK_EQUAL(level->datatype, "Int32");
  CAF_CHECK_EQUAL(level->timestamp_ms, static_cast<int64_t>(birth_ms + 500));
  CAF_CHECK(!level->stale);
  auto points = stored("D1", "Level");
  CAF_REQUIRE_EQUAL(points.size(), 2u);
  CAF_CHECK(store::same_value(points[1].value, store::stored_value{int64_t{42}}));
  CAF_CHECK(rebirths_sent() == 0);
}

CAF_TEST(data before any birth requests a rebirth by NCMD) {
  deliver(mt::ddata, with(5, {by_alias(10, uint64_t{1})}), "D1");
  CAF_REQUIRE_EQUAL(rebirths_sent(), 1u);
  auto& cmd = sent->back().payload;
  CAF_REQUIRE_EQUAL(cmd.metrics.size(), 1u);
  CAF_CHECK_EQUAL(*cmd.metrics[0].name, "Node Control/Rebirth");
  CAF_CHECK(std::get<bool>(cmd.metrics[0].val));
  CAF_CHECK(!cmd.seq.has_value());
  CAF_CHECK_EQUAL(committed(), 0u);
}

CAF_TEST(seq gap past the reorder timeout requests a rebirth) {
  born_with_device();
  deliver(mt::ndata, temp(3, 21.0)); // seq 2 is missing
  CAF_CHECK_EQUAL(rebirths_sent(), 0u);
  sched.advance_time(std::chrono::milliseconds(defaults::host::reorder_timeout_ms + 10));
  sched.run();
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
}

CAF_TEST(gap filled within the reorder timeout applies both messages in order) {
  born_with_device();
  deliver(mt::ndata, with(3, {by_alias(1, 22.0)}, birth_ms + 30));
  deliver(mt::ndata, with(2, {by_alias(1, 21.0)}, birth_ms + 20));
  sched.advance_time(std::chrono::milliseconds(defaults::host::reorder_timeout_ms + 10));
  sched.run();
  CAF_CHECK_EQUAL(rebirths_sent(), 0u);
  auto node = device("");
  auto* t = metric_of(node, "Temp");
  CAF_REQUIRE(t != nullptr);
  CAF_CHECK_EQUAL(t->value, "22");
  CAF_CHECK_EQUAL(stored("", "Temp").size(), 3u);
}

CAF_TEST(stale NDEATH is ignored and the current one marks devices offline and stale) {
  born_with_device();
  deliver(mt::ndeath, ndeath(6)); // an older session's Will
  CAF_CHECK(device("D1").online);
  deliver(mt::ndeath, ndeath(7));
  auto d1 = device("D1");
  CAF_CHECK(!d1.online);
  auto* level = metric_of(d1, "Level");
  CAF_REQUIRE(level != nullptr);
  CAF_CHECK(level->stale);
  CAF_CHECK_EQUAL(level->quality, quality_stale);
  auto summary = request<edge_node_summary>(sup, caf::get_atom::value);
  CAF_CHECK(!summary.online);
  CAF_CHECK_EQUAL(summary.bdseq, 7);
  CAF_CHECK_EQUAL(summary.faults["stale_ndeath"], 1u);
}

CAF_TEST(historical values are stored but never replace the current value) {
  born_with_device();
  auto old = by_alias(1, 99.0);
  old.is_historical = true;
  old.timestamp = birth_ms - 60'000;
  deliver(mt::ndata, with(2, {old}));
  auto* t = metric_of(device(""), "Temp");
  CAF_REQUIRE(t != nullptr);
  CAF_CHECK_EQUAL(t->value, "20.5");
  auto points = stored("", "Temp");
  CAF_REQUIRE_EQUAL(points.size(), 2u);
  CAF_CHECK(points[0].flags.historical);
  CAF_CHECK_EQUAL(points[0].timestamp_ms, static_cast<int64_t>(birth_ms - 60'000));
}

CAF_TEST(malformed payload costs that message only) {
  born_with_device();
  self->send(sup, raw_message{static_cast<uint8_t>(mt::ndata), {}, "\xff\xff\xff garbage", now_ms(), {}});
  sched.run();
  deliver(mt::ndata, temp(2, 23.0));
  auto summary = request<edge_node_summary>(sup, caf::get_atom::value);
  CAF_CHECK_EQUAL(summary.malformed_payloads, 1u);
  CAF_CHECK(summary.online);
  CAF_CHECK_EQUAL(metric_of(device(""), "Temp")->value, "23");
  CAF_CHECK_EQUAL(rebirths_sent(), 0u);
}

CAF_TEST(node death raises the offline alarm and an operator acknowledges it) {
  born_with_device();
  deliver(mt::ndeath, ndeath(7));
  auto active = request<std::vector<alarms::alarm_view>>(book, list_atom::value, true,
                                                         uint64_t{10});
  CAF_REQUIRE_EQUAL(active.size(), 1u);
  CAF_CHECK_EQUAL(active[0].rule, "node_down");
  CAF_CHECK_EQUAL(active[0].state, "unack_active");
  auto reply = request<std::string>(book, ack_atom::value, active[0].alarm_id,
                                    std::string{"operator"});
  CAF_CHECK_EQUAL(reply.rfind("acknowledged", 0), 0u);
  active = request<std::vector<alarms::alarm_view>>(book, list_atom::value, true, uint64_t{10});
  CAF_REQUIRE_EQUAL(active.size(), 1u);
  CAF_CHECK_EQUAL(active[0].state, "ack_active");
  request<uint64_t>(writer, storage_actors::sync_atom::value);
  auto stats = request<storage_actors::store_stats>(writer, storage_actors::stats_atom::value);
  CAF_CHECK_EQUAL(stats.alarm_events_committed, 2u); // raised, acknowledged
}

CAF_TEST(threshold alarm raises on a live value of its metric) {
  born_with_device();
  deliver(mt::ndata, with(2, {by_alias(1, 55.0)}, birth_ms + 100));
  auto active = request<std::vector<alarms::alarm_view>>(book, list_atom::value, true,
                                                         uint64_t{10});
  CAF_REQUIRE_EQUAL(active.size(), 1u);
  CAF_CHECK_EQUAL(active[0].rule, "temp_high");
  auto node = device("");
  CAF_REQUIRE_EQUAL(node.alarms.size(), 1u);
  CAF_CHECK_EQUAL(node.alarms[0].state, "unack_active");
}

CAF_TEST(a rebirth keeps the alarm state of metrics that stay and drops the others) {
  born_with_device();
  deliver(mt::ndata, with(2, {by_alias(1, 55.0)}, birth_ms + 100));
  auto active = request<std::vector<alarms::alarm_view>>(book, list_atom::value, true,
                                                         uint64_t{10});
  CAF_REQUIRE_EQUAL(active.size(), 1u);
  request<std::string>(book, ack_atom::value, active[0].alarm_id, std::string{"op"});
  CAF_CHECK_EQUAL(device("").alarms.at(0).state, "ack_active");
  // Temp moves to another position of the birth and stays above the threshold: a fresh alarm
  // would be unacknowledged again.
  deliver(mt::nbirth, nbirth(7, 3, {def("Pressure", datatype::float64, 1.0, 2),
                                    def("Temp", datatype::float64, 56.0, 1)}));
  auto node = device("");
  CAF_REQUIRE_EQUAL(node.alarms.size(), 1u);
  CAF_CHECK_EQUAL(node.alarms[0].alarm_id, active[0].alarm_id);
  CAF_CHECK_EQUAL(node.alarms[0].state, "ack_active");
  const auto* temp = metric_of(node, "Temp");
  CAF_REQUIRE(temp != nullptr);
  CAF_CHECK_EQUAL(temp->value, "56");
  CAF_CHECK(metric_of(node, "Pressure") != nullptr);
}

CAF_TEST(seq wraps from 255 to 0 without a gap) {
  deliver(mt::nbirth, nbirth(7, 254, {def("Temp", datatype::float64, 20.5, 1)}));
  deliver(mt::ndata, with(255, {by_alias(1, 21.0)}, birth_ms + 10));
  deliver(mt::ndata, with(0, {by_alias(1, 22.0)}, birth_ms + 20));
  deliver(mt::ndata, with(1, {by_alias(1, 23.0)}, birth_ms + 30));
  sched.advance_time(std::chrono::milliseconds(defaults::host::reorder_timeout_ms + 10));
  sched.run();
  CAF_CHECK_EQUAL(rebirths_sent(), 0u);
  CAF_CHECK_EQUAL(metric_of(device(""), "Temp")->value, "23");
  CAF_CHECK_EQUAL(request<edge_node_summary>(sup, caf::get_atom::value).last_seq, 1);
}

CAF_TEST(unknown alias requests a rebirth and the rest of the message applies) {
  born_with_device();
  deliver(mt::ddata, with(2, {by_alias(99, uint64_t{1}), by_alias(10, uint64_t{8})}), "D1");
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
  CAF_CHECK_EQUAL(metric_of(device("D1"), "Level")->value, "8");
}

CAF_TEST(duplicate alias in a birth requests a rebirth) {
  deliver(mt::nbirth, nbirth(7, 0, {def("A", datatype::float64, 1.0, 5),
                                    def("B", datatype::float64, 2.0, 5)}));
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
}

CAF_TEST(rebirth requests are throttled per edge node) {
  deliver(mt::ndata, temp(1, 1.0)); // before birth: request 1
  deliver(mt::ndata, temp(2, 1.0)); // within the throttle interval: deferred
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
  sched.advance_time(std::chrono::milliseconds(defaults::host::rebirth_throttle_ms + 10));
  sched.run();
  CAF_CHECK_EQUAL(rebirths_sent(), 2u); // the deferred one, once the interval ended
}

CAF_TEST(DDEATH takes one device offline and leaves the node online) {
  born_with_device();
  deliver(mt::ddeath, ddeath(2, birth_ms + 900), "D1");
  auto d1 = device("D1");
  CAF_CHECK(!d1.online);
  CAF_CHECK_EQUAL(d1.offline_timestamp, static_cast<int64_t>(birth_ms + 900));
  CAF_CHECK(metric_of(d1, "Level")->stale);
  CAF_CHECK(device("").online);
}

CAF_TEST(operator rebirth is sent at once and the next one waits for the throttle) {
  born_with_device();
  auto first = request<std::string>(sup, rebirth_atom::value, std::string{"operator"});
  CAF_CHECK_EQUAL(first.rfind("rebirth requested", 0), 0u);
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
  self->send(sup, rebirth_atom::value, std::string{"operator"});
  sched.run(); // no time passes: the second request is deferred
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
  sched.advance_time(std::chrono::milliseconds(defaults::host::rebirth_throttle_ms + 10));
  sched.run();
  CAF_CHECK_EQUAL(rebirths_sent(), 2u);
}

CAF_TEST(losing the broker releases the session until the next birth) {
  born_with_device();
  self->send(sup, release_atom::value);
  sched.run();
  CAF_CHECK(!device("D1").online);
  CAF_CHECK(!request<edge_node_summary>(sup, caf::get_atom::value).online);
  deliver(mt::ndata, temp(2, 30.0)); // data after the release: ask for a birth
  CAF_CHECK_EQUAL(rebirths_sent(), 1u);
}

CAF_TEST(alarm history survives a restart of the alarm book on the same store) {
  born_with_device();
  deliver(mt::ndeath, ndeath(7)); // raises node_down
  auto active = request<std::vector<alarms::alarm_view>>(book, list_atom::value, true,
                                                         uint64_t{10});
  CAF_REQUIRE_EQUAL(active.size(), 1u);
  request<std::string>(book, ack_atom::value, active[0].alarm_id, std::string{"op"});
  request<uint64_t>(writer, storage_actors::sync_atom::value);
  // A new book, as after a restart, reads the history back from the store.
  size_t skipped = 99;
  auto history = storage_actors::load_alarm_history(*db, 100, &skipped);
  CAF_CHECK_EQUAL(skipped, 0u);
  CAF_REQUIRE_EQUAL(history.size(), 2u);
  CAF_CHECK_EQUAL(history[0].transition, "raised");
  CAF_CHECK_EQUAL(history[1].transition, "acknowledged");
  CAF_CHECK_EQUAL(history[1].acknowledged_by, "op");
  auto restarted = sys.spawn(alarms::alarm_book, writer, size_t{100}, std::move(history));
  sched.run();
  auto all = request<std::vector<alarms::alarm_view>>(restarted, list_atom::value, false,
                                                      uint64_t{10});
  CAF_REQUIRE_EQUAL(all.size(), 2u);
  CAF_CHECK_EQUAL(all[0].transition, "acknowledged"); // newest first
  CAF_CHECK_EQUAL(all[1].rule, "node_down");
  // Only history: what was active before is not claimed to be active now.
  CAF_CHECK(request<std::vector<alarms::alarm_view>>(restarted, list_atom::value, true,
                                                     uint64_t{10})
              .empty());
  anon_send_exit(restarted, caf::exit_reason::user_shutdown);
}

CAF_TEST(every message of the pipeline gives its bytes back once its points are stored) {
  born_with_device();
  auto bytes = encode_payload(with(2, {by_alias(10, uint64_t{42})}, birth_ms + 500));
  CAF_REQUIRE(bytes.has_value());
  self->send(sup, raw_message{static_cast<uint8_t>(mt::ddata), "D1", *bytes, now_ms(),
                              backlog_ticket(backlog, 500)});
  CAF_CHECK_EQUAL(backlog->bytes(), 500u); // waiting in the supervisor's mailbox
  sched.run_once();                         // decoded: now a device batch
  CAF_CHECK_GREATER(backlog->bytes(), 0u);
  sched.run();
  CAF_CHECK_EQUAL(committed(), 5u);
  CAF_CHECK_EQUAL(backlog->bytes(), 0u);
}

CAF_TEST(a stopped supervisor gives back the bytes of messages it never handled) {
  born_with_device();
  auto bytes = encode_payload(with(2, {by_alias(10, uint64_t{42})}));
  CAF_REQUIRE(bytes.has_value());
  for (int i = 0; i < 3; ++i)
    self->send(sup, raw_message{static_cast<uint8_t>(mt::ddata), "D1", *bytes, now_ms(),
                                backlog_ticket(backlog, 1000)});
  CAF_CHECK_EQUAL(backlog->bytes(), 3000u);
  self->send_exit(sup, caf::exit_reason::kill);
  sched.run();
  CAF_CHECK_EQUAL(backlog->bytes(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

floe::alarms::alarm_view event_view(std::string id, std::string transition, std::string state,
                                    int64_t t, uint64_t occurrence, std::string by = {}) {
  floe::alarms::alarm_view v;
  v.alarm_id = std::move(id);
  v.transition = std::move(transition);
  v.state = std::move(state);
  v.timestamp_ms = t;
  v.occurrence = occurrence;
  v.acknowledged_by = std::move(by);
  v.message = "m";
  return v;
}

} // namespace

CAF_TEST(the saved state of an alarm is its newest stored event with the acknowledgement kept) {
  using namespace floe::alarms;
  std::vector<alarm_view> history = {
    event_view("a", "raised", "unack_active", 1000, 1),
    event_view("b", "raised", "unack_active", 1500, 4),
    event_view("a", "acknowledged", "ack_active", 2000, 1, "alice"),
    event_view("b", "cleared", "unack_cleared", 2500, 4),
    event_view("c", "raised", "bogus_state", 3000, 1),
  };
  auto saved = saved_from_history(history);
  CAF_CHECK_EQUAL(saved.size(), 2u);
  CAF_CHECK(saved.at("a").state == alarm_state::ack_active);
  CAF_CHECK_EQUAL(saved.at("a").acknowledged_by, "alice");
  CAF_CHECK(saved.at("b").state == alarm_state::unack_cleared);
  CAF_CHECK_EQUAL(saved.at("b").occurrence, 4u);
  CAF_CHECK_EQUAL(saved.at("b").last_transition_ms, 2500);
  // Order does not matter: the newest event wins.
  std::reverse(history.begin(), history.end());
  CAF_CHECK(saved_from_history(history).at("a").state == alarm_state::ack_active);
}
