#define CAF_SUITE sim_edge_node
#include <caf/test/unit_test.hpp>

#include <set>

#include "fake_transport.hpp"
#include "sim/edge_node.hpp"
#include "sparkplug/payload_codec.hpp"

using namespace floe::sim;
using namespace floe::sim::testing;
namespace sp = floe::sparkplug;
using sp::message_type;

namespace {

constexpr uint64_t t0 = 1'700'000'000'000;

const char* test_profile = R"({"name":"t",
  "node_metrics":[{"name":"Uptime","datatype":"Int64","unit":"s",
                   "signal":{"model":"counter","rate":1}}],
  "device_kinds":[
    {"kind":"pump","metrics":[
      {"name":"Running","datatype":"Boolean","signal":{"model":"constant","value":true}},
      {"name":"Flow","datatype":"Float","unit":"m3/h","low":0,"high":100,"decimals":2,
       "signal":{"model":"random_walk","min":0,"max":100,"step":5}}]},
    {"kind":"valve","metrics":[
      {"name":"Position","datatype":"Double","signal":{"model":"constant","value":40}}]}]})";

const sp::metric* find_metric(const sp::payload& p, std::string_view name) {
  for (const auto& m : p.metrics)
    if (m.name && *m.name == name)
      return &m;
  return nullptr;
}

std::string ncmd_payload(std::string_view name, bool value) {
  sp::payload p;
  p.timestamp = t0;
  sp::metric m;
  m.name = std::string(name);
  m.type = sp::datatype::boolean;
  m.val = value;
  p.metrics.push_back(m);
  return *sp::encode_payload(p);
}

struct fixture {
  profile prof;
  std::vector<edge_node_layout> fleet;
  edge_node_config cfg;
  sim_stats stats;
  uint64_t next_tag = 0;
  std::shared_ptr<wire> net = std::make_shared<wire>();
  std::unique_ptr<edge_node> node;
  uint64_t now = t0;

  fixture() {
    auto p = parse_profile(test_profile, "t.json");
    if (!p)
      CAF_FAIL(p.error());
    prof = std::move(*p);
    auto f = make_fleet(prof, {"plant", "edge-", 1, 3}); // pump-01, pump-02, valve-01
    if (!f)
      CAF_FAIL(f.error());
    fleet = std::move(*f);
    cfg.group_id = "plant";
    cfg.report_by_exception = false;
  }

  edge_node& make() {
    node = std::make_unique<edge_node>(cfg, prof, fleet[0], 0, std::make_unique<fake_transport>(net),
                                       edge_node_services{&stats, nullptr, &next_tag}, now);
    return *node;
  }

  sim_event event(sim_event::kind k) const {
    sim_event e;
    e.what = k;
    e.generation = net->connects.empty() ? 0 : net->connects.back().generation;
    return e;
  }

  void connect_and_birth() {
    if (!node)
      make();
    node->connect(now);
    node->on_event(event(sim_event::kind::connected), now);
  }

  void deliver(const std::string& topic, const std::string& payload) {
    sim_event e = event(sim_event::kind::message);
    e.topic = topic;
    e.payload = payload;
    node->on_event(e, now);
  }

  std::vector<uint64_t> seqs() const {
    std::vector<uint64_t> out;
    for (const auto& m : net->sent) {
      auto p = m.decoded();
      if (p.seq)
        out.push_back(*p.seq);
    }
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(edge_node_tests, fixture)

CAF_TEST(will_is_an_ndeath_with_the_sessions_bdseq_and_commands_are_subscribed) {
  make();
  node->connect(now);
  CAF_REQUIRE_EQUAL(net->connects.size(), 1u);
  const connect_request& req = net->connects[0];
  CAF_CHECK_EQUAL(req.will_topic, "spBv1.0/plant/NDEATH/edge-01");
  auto will = sp::decode_payload(req.will_payload);
  CAF_REQUIRE(will.has_value());
  CAF_CHECK(!will->seq.has_value());
  CAF_REQUIRE_EQUAL(will->metrics.size(), 1u);
  const sp::metric& bd = will->metrics[0];
  CAF_CHECK(bd.name && *bd.name == "bdSeq");
  CAF_CHECK(bd.type == sp::datatype::int64);
  CAF_CHECK(std::get<int64_t>(bd.val) == 0);
  CAF_CHECK(bd.timestamp.has_value());
  CAF_CHECK(req.subscriptions
            == std::vector<std::string>({"spBv1.0/plant/NCMD/edge-01", "spBv1.0/plant/DCMD/edge-01/+"}));
  CAF_CHECK(net->sent.empty()); // nothing before CONNACK
}

CAF_TEST(nbirth_then_every_dbirth_follow_the_connect) {
  connect_and_birth();
  CAF_REQUIRE_EQUAL(net->sent.size(), 4u);
  CAF_CHECK_EQUAL(net->sent[0].topic, "spBv1.0/plant/NBIRTH/edge-01");
  CAF_CHECK_EQUAL(net->sent[1].topic, "spBv1.0/plant/DBIRTH/edge-01/pump-01");
  CAF_CHECK_EQUAL(net->sent[2].topic, "spBv1.0/plant/DBIRTH/edge-01/pump-02");
  CAF_CHECK_EQUAL(net->sent[3].topic, "spBv1.0/plant/DBIRTH/edge-01/valve-01");
  for (const auto& m : net->sent)
    CAF_CHECK_EQUAL(m.qos, 0);

  auto nbirth = net->sent[0].decoded();
  CAF_CHECK(nbirth.seq == uint64_t{0});
  CAF_CHECK(nbirth.timestamp == now);
  const sp::metric* bd = find_metric(nbirth, "bdSeq");
  CAF_REQUIRE(bd != nullptr);
  CAF_CHECK(bd->type == sp::datatype::int64 && std::get<int64_t>(bd->val) == 0);
  CAF_CHECK(!bd->alias.has_value());
  const sp::metric* rebirth = find_metric(nbirth, "Node Control/Rebirth");
  CAF_REQUIRE(rebirth != nullptr);
  CAF_CHECK(rebirth->type == sp::datatype::boolean && !std::get<bool>(rebirth->val));
  CAF_CHECK(!rebirth->alias.has_value());
  const sp::metric* uptime = find_metric(nbirth, "Uptime");
  CAF_REQUIRE(uptime != nullptr);
  CAF_CHECK(uptime->alias.has_value());
  CAF_REQUIRE(uptime->properties.has_value());
  CAF_CHECK(std::get<std::string>(uptime->properties->find("engUnit")->value) == "s");

  for (size_t i = 1; i < 4; ++i) {
    auto dbirth = net->sent[i].decoded();
    CAF_CHECK(dbirth.seq == uint64_t{i});
    for (const auto& m : dbirth.metrics) {
      CAF_CHECK(m.name.has_value());
      CAF_CHECK(m.alias.has_value());
      CAF_CHECK(m.datatype_on_wire);
      CAF_CHECK(m.timestamp == now);
      CAF_CHECK(!std::holds_alternative<std::monostate>(m.val));
    }
  }
  auto pump = net->sent[1].decoded();
  const sp::metric* flow = find_metric(pump, "Flow");
  CAF_REQUIRE(flow != nullptr);
  CAF_CHECK(flow->type == sp::datatype::float32);
  CAF_REQUIRE(flow->properties.has_value());
  CAF_CHECK(std::get<std::string>(flow->properties->find("engUnit")->value) == "m3/h");
  CAF_CHECK(std::get<double>(flow->properties->find("engHigh")->value) == 100.0);
  CAF_CHECK_EQUAL(node->devices_online(), 3u);
  CAF_CHECK_EQUAL(stats.devices_online.load(), 3);
}

CAF_TEST(aliases_are_unique_across_the_node_and_all_its_devices) {
  connect_and_birth();
  std::set<uint64_t> aliases;
  for (const auto& m : net->sent)
    for (const auto& metric : m.decoded().metrics)
      if (metric.alias)
        CAF_CHECK(aliases.insert(*metric.alias).second);
  CAF_CHECK_EQUAL(aliases.size(), 1u + 2 + 2 + 1);
}

CAF_TEST(ddata_carries_aliases_and_timestamps_but_no_names_or_datatypes) {
  connect_and_birth();
  auto dbirth = net->sent[1].decoded();
  std::set<uint64_t> pump_aliases;
  for (const auto& m : dbirth.metrics)
    pump_aliases.insert(*m.alias);
  net->sent.clear();
  now += 1000;
  node->publish_device_data(0, now);
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  CAF_CHECK_EQUAL(net->sent[0].topic, "spBv1.0/plant/DDATA/edge-01/pump-01");
  auto ddata = net->sent[0].decoded();
  CAF_CHECK(ddata.seq == uint64_t{4});
  CAF_CHECK(ddata.timestamp == now);
  CAF_REQUIRE_EQUAL(ddata.metrics.size(), 2u); // report by exception is off in this fixture
  for (const auto& m : ddata.metrics) {
    CAF_CHECK(!m.name.has_value());
    CAF_CHECK(!m.datatype_on_wire);
    CAF_REQUIRE(m.alias.has_value());
    CAF_CHECK(pump_aliases.count(*m.alias) == 1);
    CAF_CHECK(m.timestamp == now);
  }
}

CAF_TEST(one_seq_counter_across_all_messages_wraps_after_255) {
  connect_and_birth();
  for (int i = 0; i < 600; ++i) {
    now += 100;
    node->publish_device_data(static_cast<size_t>(i % 3), now);
    if (i % 50 == 0)
      node->publish_node_data(now);
  }
  auto s = seqs();
  CAF_REQUIRE(s.size() > 600);
  CAF_CHECK_EQUAL(s[0], 0u);
  for (size_t i = 1; i < s.size(); ++i)
    CAF_REQUIRE_EQUAL(s[i], (s[i - 1] + 1) % 256);
  CAF_CHECK(net->of_type(message_type::ndata).size() >= 12u);
}

CAF_TEST(rebirth_command_republishes_all_births_with_same_bdseq_and_seq_from_zero) {
  connect_and_birth();
  for (int i = 0; i < 5; ++i)
    node->publish_device_data(0, now += 1000);
  net->sent.clear();
  deliver("spBv1.0/plant/NCMD/edge-01", ncmd_payload("Node Control/Rebirth", true));
  CAF_REQUIRE_EQUAL(net->sent.size(), 4u);
  CAF_CHECK(net->sent[0].type() == message_type::nbirth);
  auto nbirth = net->sent[0].decoded();
  CAF_CHECK(nbirth.seq == uint64_t{0});
  CAF_CHECK(std::get<int64_t>(find_metric(nbirth, "bdSeq")->val) == 0);
  CAF_CHECK(net->of_type(message_type::dbirth).size() == 3u);
  CAF_CHECK(seqs() == std::vector<uint64_t>({0, 1, 2, 3}));
  CAF_CHECK_EQUAL(stats.rebirth_requests.load(), 1u);
  // Rebirth = false, other commands and DCMDs cause no births.
  net->sent.clear();
  deliver("spBv1.0/plant/NCMD/edge-01", ncmd_payload("Node Control/Rebirth", false));
  deliver("spBv1.0/plant/NCMD/edge-01", ncmd_payload("Node Control/Reboot", true));
  deliver("spBv1.0/plant/DCMD/edge-01/pump-01", ncmd_payload("Running", false));
  deliver("spBv1.0/plant/NCMD/edge-01", "not protobuf \xff\xff");
  CAF_CHECK(net->sent.empty());
  CAF_CHECK_EQUAL(stats.commands.load(), 3u);
  CAF_CHECK_EQUAL(stats.bad_commands.load(), 1u);
}

CAF_TEST(connection_loss_goes_offline_and_the_next_connect_uses_the_next_bdseq) {
  connect_and_birth();
  node->on_event(event(sim_event::kind::connection_lost), now);
  auto delay = node->take_reconnect_delay();
  CAF_REQUIRE(delay.has_value());
  CAF_CHECK(*delay >= cfg.reconnect_min_ms * 3 / 4 && *delay <= cfg.reconnect_min_ms * 5 / 4);
  CAF_CHECK_EQUAL(node->devices_online(), 0u);
  CAF_CHECK_EQUAL(stats.devices_online.load(), 0);
  net->sent.clear();
  node->publish_device_data(0, now += 1000);
  CAF_CHECK(net->sent.empty());
  node->connect(now);
  auto will = sp::decode_payload(net->connects.back().will_payload);
  CAF_CHECK(std::get<int64_t>(will->metrics[0].val) == 1);
  node->on_event(event(sim_event::kind::connected), now);
  auto nbirth = net->sent.at(0).decoded();
  CAF_CHECK(std::get<int64_t>(find_metric(nbirth, "bdSeq")->val) == 1);
  CAF_CHECK(nbirth.seq == uint64_t{0});
  CAF_CHECK_EQUAL(stats.reconnects.load(), 1u);
  CAF_CHECK_EQUAL(stats.connection_losses.load(), 1u);
}

CAF_TEST(failed_connects_back_off_exponentially_up_to_the_maximum) {
  make();
  int previous = 0;
  for (int attempt = 0; attempt < 10; ++attempt) {
    node->connect(now);
    node->on_event(event(sim_event::kind::connect_failed), now);
    auto delay = node->take_reconnect_delay();
    CAF_REQUIRE(delay.has_value());
    CAF_CHECK(*delay <= cfg.reconnect_max_ms * 5 / 4);
    if (attempt == 9)
      CAF_CHECK(*delay >= cfg.reconnect_max_ms * 3 / 4);
    previous = *delay;
  }
  CAF_CHECK(previous > 0);
  CAF_CHECK_EQUAL(stats.connect_failures.load(), 10u);
  // Every attempt took a new bdSeq.
  auto will = sp::decode_payload(net->connects.back().will_payload);
  CAF_CHECK(std::get<int64_t>(will->metrics[0].val) == 9);
}

CAF_TEST(events_of_an_earlier_connection_are_ignored) {
  make();
  node->connect(now);
  sim_event stale = event(sim_event::kind::connected);
  node->on_event(event(sim_event::kind::connect_failed), now);
  node->take_reconnect_delay();
  node->connect(now);
  node->on_event(stale, now); // the first attempt's late CONNACK
  CAF_CHECK(net->sent.empty());
  node->on_event(event(sim_event::kind::connected), now);
  CAF_CHECK_EQUAL(net->sent.size(), 4u);
}

CAF_TEST(primary_host_gates_births_and_its_death_ends_the_session) {
  cfg.primary_host = "scada";
  make();
  node->connect(now);
  CAF_CHECK(net->connects[0].subscriptions.back() == "spBv1.0/STATE/scada");
  node->on_event(event(sim_event::kind::connected), now);
  CAF_CHECK(net->sent.empty());
  node->publish_device_data(0, now += 1000);
  CAF_CHECK(net->sent.empty());
  // Another host's STATE means nothing.
  deliver("spBv1.0/STATE/other", R"({"online":true,"timestamp":5})");
  CAF_CHECK(net->sent.empty());
  deliver("spBv1.0/STATE/scada", R"({"online":true,"timestamp":5000})");
  CAF_CHECK_EQUAL(net->sent.size(), 4u);
  net->sent.clear();
  deliver("spBv1.0/STATE/scada", R"({"online":false,"timestamp":6000})");
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  CAF_CHECK(net->sent[0].type() == message_type::ndeath);
  CAF_CHECK_EQUAL(net->sent[0].qos, 1);
  CAF_CHECK_EQUAL(net->disconnects, 1u);
  CAF_CHECK(node->take_reconnect_delay().has_value());
  CAF_CHECK(node->session().phase() == session_phase::disconnected);
  CAF_CHECK_EQUAL(stats.host_offline_disconnects.load(), 1u);
  deliver("spBv1.0/STATE/scada", "garbage");
}

CAF_TEST(report_by_exception_sends_only_changes_and_skips_unchanged_devices) {
  cfg.report_by_exception = true;
  connect_and_birth();
  net->sent.clear();
  // valve-01 holds a constant: nothing to report.
  node->publish_device_data(2, now += 1000);
  CAF_CHECK(net->sent.empty());
  CAF_CHECK_EQUAL(stats.unchanged_skips.load(), 1u);
  // pump-01: Running is constant, Flow walks: only Flow travels.
  node->publish_device_data(0, now += 1000);
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  auto ddata = net->sent[0].decoded();
  CAF_REQUIRE_EQUAL(ddata.metrics.size(), 1u);
  // Running is the kind's first metric: Flow's alias is one above it.
  auto dbirth_alias = fleet[0].devices[0].first_alias;
  CAF_CHECK(ddata.metrics[0].alias == dbirth_alias + 1);
}

CAF_TEST(fault_skip_seq_leaves_one_gap_after_every_n_data_messages) {
  cfg.faults.skip_seq_every = 3;
  connect_and_birth();
  net->sent.clear();
  for (int i = 0; i < 9; ++i)
    node->publish_device_data(0, now += 1000);
  CAF_CHECK(seqs() == std::vector<uint64_t>({4, 5, 6, 8, 9, 10, 12, 13, 14}));
  CAF_CHECK_EQUAL(stats.seq_skips.load(), 3u);
}

CAF_TEST(fault_null_sends_one_metric_as_is_null_without_value) {
  cfg.faults.null_every = 2;
  connect_and_birth();
  net->sent.clear();
  node->publish_device_data(0, now += 1000);
  node->publish_device_data(0, now += 1000);
  auto first = net->sent.at(0).decoded();
  auto second = net->sent.at(1).decoded();
  for (const auto& m : first.metrics)
    CAF_CHECK(!m.is_null);
  size_t nulls = 0;
  for (const auto& m : second.metrics)
    if (m.is_null) {
      ++nulls;
      CAF_CHECK(std::holds_alternative<std::monostate>(m.val));
    }
  CAF_CHECK_EQUAL(nulls, 1u);
  CAF_CHECK_EQUAL(stats.null_metrics.load(), 1u);
}

CAF_TEST(fault_historical_adds_older_is_historical_points) {
  cfg.faults.historical_every = 2;
  connect_and_birth();
  net->sent.clear();
  node->publish_device_data(0, now += 1000);
  node->publish_device_data(0, now += 1000);
  auto second = net->sent.at(1).decoded();
  size_t live = 0;
  size_t historical = 0;
  for (const auto& m : second.metrics) {
    if (m.is_historical) {
      ++historical;
      CAF_CHECK(m.timestamp == now - cfg.faults.historical_age_ms);
    } else {
      ++live;
      CAF_CHECK(m.timestamp == now);
    }
  }
  CAF_CHECK_EQUAL(live, 2u);
  CAF_CHECK_EQUAL(historical, 2u);
  CAF_CHECK_EQUAL(stats.historical_points.load(), 2u);
}

CAF_TEST(fault_data_before_birth_happens_once_before_the_first_births) {
  cfg.faults.data_before_birth = true;
  connect_and_birth();
  CAF_REQUIRE_EQUAL(net->sent.size(), 5u);
  CAF_CHECK(net->sent[0].type() == message_type::ddata);
  CAF_CHECK(net->sent[1].type() == message_type::nbirth);
  CAF_CHECK(net->sent[1].decoded().seq == uint64_t{0});
  CAF_CHECK_EQUAL(stats.data_before_birth.load(), 1u);
  node->on_event(event(sim_event::kind::connection_lost), now);
  net->sent.clear();
  node->connect(now);
  node->on_event(event(sim_event::kind::connected), now);
  CAF_CHECK(net->sent.at(0).type() == message_type::nbirth);
}

CAF_TEST(data_beyond_the_in_flight_bound_is_dropped_and_counted) {
  cfg.max_in_flight = 10;
  connect_and_birth();
  net->sent.clear();
  net->in_flight = 10;
  node->publish_device_data(0, now += 1000);
  CAF_CHECK(net->sent.empty());
  CAF_CHECK_EQUAL(stats.dropped.load(), 1u);
  net->in_flight = 9;
  node->publish_device_data(0, now += 1000);
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  // The dropped message took no seq number.
  CAF_CHECK(net->sent[0].decoded().seq == uint64_t{4});
}

CAF_TEST(a_dbirth_refused_by_a_full_queue_is_retried_in_the_devices_slot) {
  make();
  node->connect(now);
  net->next_status = publish_status::queue_full;
  net->refuse_calls = {2}; // NBIRTH, DBIRTH pump-01, [DBIRTH pump-02 refused], DBIRTH valve-01
  node->on_event(event(sim_event::kind::connected), now);
  CAF_REQUIRE_EQUAL(net->sent.size(), 3u);
  CAF_CHECK(seqs() == std::vector<uint64_t>({0, 1, 2})); // the refused one took no number
  CAF_CHECK(!node->device_online(1));
  CAF_CHECK_EQUAL(stats.dropped.load(), 1u);
  node->publish_device_data(1, now += 1000);
  CAF_REQUIRE_EQUAL(net->sent.size(), 4u);
  CAF_CHECK_EQUAL(net->sent[3].topic, "spBv1.0/plant/DBIRTH/edge-01/pump-02");
  CAF_CHECK(node->device_online(1));
  node->publish_device_data(1, now += 1000);
  CAF_CHECK(net->sent.back().type() == message_type::ddata);
  CAF_CHECK(seqs() == std::vector<uint64_t>({0, 1, 2, 3, 4}));
}

CAF_TEST(a_refused_ddeath_leaves_the_device_online) {
  connect_and_birth();
  net->sent.clear();
  net->next_status = publish_status::not_connected;
  net->refuse_next = 1;
  CAF_CHECK(!node->take_device_offline(1, now));
  CAF_CHECK(node->device_online(1));
  CAF_CHECK_EQUAL(stats.publish_errors.load(), 1u);
  node->publish_device_data(1, now += 1000);
  CAF_CHECK(net->sent.at(0).decoded().seq == uint64_t{4});
}

CAF_TEST(device_offline_fault_sends_ddeath_and_later_its_dbirth) {
  connect_and_birth();
  net->sent.clear();
  CAF_REQUIRE(node->take_device_offline(1, now += 1000));
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  CAF_CHECK_EQUAL(net->sent[0].topic, "spBv1.0/plant/DDEATH/edge-01/pump-02");
  auto ddeath = net->sent[0].decoded();
  CAF_CHECK(ddeath.seq == uint64_t{4});
  CAF_CHECK(ddeath.metrics.empty());
  CAF_CHECK(!node->device_online(1));
  node->publish_device_data(1, now += 1000);
  CAF_CHECK_EQUAL(net->sent.size(), 1u); // an offline device sends nothing
  // A rebirth leaves it out while it is offline.
  deliver("spBv1.0/plant/NCMD/edge-01", ncmd_payload("Node Control/Rebirth", true));
  CAF_CHECK_EQUAL(net->of_type(message_type::dbirth).size(), 2u);
  net->sent.clear();
  node->bring_device_online(1, now += 1000);
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  CAF_CHECK_EQUAL(net->sent[0].topic, "spBv1.0/plant/DBIRTH/edge-01/pump-02");
  CAF_CHECK(node->device_online(1));
}

CAF_TEST(drop_fault_cuts_the_connection_and_counts_the_will) {
  connect_and_birth();
  CAF_CHECK(node->drop_connection(now));
  CAF_CHECK_EQUAL(net->drops, 1u);
  CAF_CHECK_EQUAL(stats.wills_triggered.load(), 1u);
  net->can_drop = false;
  CAF_CHECK(!node->drop_connection(now));
}

CAF_TEST(shutdown_publishes_ndeath_then_disconnects_and_ignores_later_events) {
  connect_and_birth();
  net->sent.clear();
  node->begin_shutdown(now += 1000);
  CAF_REQUIRE_EQUAL(net->sent.size(), 1u);
  CAF_CHECK(net->sent[0].type() == message_type::ndeath);
  CAF_CHECK_EQUAL(net->sent[0].qos, 1);
  auto ndeath = net->sent[0].decoded();
  CAF_CHECK(!ndeath.seq.has_value());
  CAF_CHECK(std::get<int64_t>(find_metric(ndeath, "bdSeq")->val) == 0);
  CAF_CHECK_EQUAL(net->disconnects, 1u);
  CAF_CHECK_EQUAL(stats.devices_online.load(), 0);
  net->sent.clear();
  deliver("spBv1.0/plant/NCMD/edge-01", ncmd_payload("Node Control/Rebirth", true));
  node->on_event(event(sim_event::kind::connection_lost), now);
  node->publish_device_data(0, now += 1000);
  CAF_CHECK(net->sent.empty());
  CAF_CHECK(!node->take_reconnect_delay().has_value());
}

CAF_TEST(publish_counts_match_what_was_sent) {
  connect_and_birth();
  for (int i = 0; i < 10; ++i)
    node->publish_device_data(static_cast<size_t>(i % 3), now += 1000);
  node->begin_shutdown(now);
  CAF_CHECK_EQUAL(stats.published[static_cast<size_t>(sent_type::nbirth)].load(), 1u);
  CAF_CHECK_EQUAL(stats.published[static_cast<size_t>(sent_type::dbirth)].load(), 3u);
  CAF_CHECK_EQUAL(stats.published[static_cast<size_t>(sent_type::ddata)].load(), 10u);
  CAF_CHECK_EQUAL(stats.published[static_cast<size_t>(sent_type::ndeath)].load(), 1u);
  CAF_CHECK_EQUAL(stats.messages(), net->sent.size());
  size_t metrics = 0;
  for (const auto& m : net->sent)
    metrics += m.decoded().metrics.size();
  CAF_CHECK_EQUAL(stats.metrics.load(), metrics);
}

CAF_TEST_FIXTURE_SCOPE_END()
