// The shell's commands against a fake node: exit codes, what is asked of the node, text and
// JSON output, tail on a fake clock, prompt and completion.
#define CAF_SUITE admin_shell
#include <caf/test/unit_test.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/shell.hpp"

using namespace floe;
using namespace floe::admin;

namespace {

constexpr int64_t t0 = 1793700900000; // 2026-11-03T10:15:00Z

host::metric_view metric(std::string name, std::string value, int64_t ts) {
  host::metric_view m;
  m.name = std::move(name);
  m.datatype = "Float";
  m.value = value;
  m.numeric = true;
  m.number = std::stod(value);
  m.timestamp_ms = ts;
  return m;
}

class fake_node : public node_api {
public:
  std::vector<host::edge_node_summary> nodes;
  std::vector<host::device_state_view> devices; // device() answers from these, in turn per call
  bool unreachable = false;
  query::history_request last_history;
  std::vector<std::string> calls;
  size_t device_calls = 0;

  fake_node() {
    host::edge_node_summary n;
    n.group = "G";
    n.edge_node = "e1";
    n.online = true;
    n.bdseq = 3;
    n.devices = {{"pump", true, t0}, {"valve", false, t0}};
    nodes.push_back(n);
    auto n2 = n;
    n2.edge_node = "e2";
    n2.online = false;
    n2.devices.clear();
    nodes.push_back(n2);
  }

  std::string address() const override { return "fake:1"; }

  template <class T>
  answer<T> gate(const std::string& call, T value) {
    calls.push_back(call);
    if (unreachable)
      return make_unexpected(query_error{query_error::kind::unreachable, "connection refused"});
    return value;
  }

  answer<std::vector<host::edge_node_summary>> list_edge_nodes(timeout) override {
    return gate("list", nodes);
  }
  answer<host::device_state_view> device(const std::string& g, const std::string& e,
                                         const std::string& d, timeout) override {
    calls.push_back("device " + g + "/" + e + "/" + d);
    if (unreachable)
      return make_unexpected(query_error{query_error::kind::unreachable, "connection refused"});
    if (d != "pump" && d != "")
      return make_unexpected(query_error{query_error::kind::rejected,
                                         "unknown device '" + d + "' of edge node " + g + "/" + e});
    auto v = devices.empty() ? host::device_state_view{}
                             : devices[std::min(device_calls, devices.size() - 1)];
    ++device_calls;
    v.group = g;
    v.edge_node = e;
    v.device = d;
    return v;
  }
  answer<query::history_reply> history(const query::history_request& rq, timeout) override {
    last_history = rq;
    query::history_reply r;
    r.series = rq.group + "/" + rq.edge_node + "/" + rq.device + "/" + rq.metric;
    for (int i = 0; i < 4; ++i) {
      query::point_view p;
      p.timestamp_ms = t0 + i * 1000;
      p.numeric = true;
      p.number = i;
      p.value = std::to_string(i);
      r.points.push_back(p);
    }
    return gate("history", r);
  }
  answer<std::vector<alarms::alarm_view>> alarms(bool active_only, uint64_t limit,
                                                 timeout) override {
    alarms::alarm_view a;
    a.alarm_id = "G/e1/pump/Pressure:high";
    a.state = "active_unacked";
    return gate("alarms " + std::string(active_only ? "active" : "all") + " "
                  + std::to_string(limit),
                std::vector<alarms::alarm_view>{a});
  }
  answer<std::string> ack(const std::string& id, const std::string& by, timeout) override {
    return gate("ack " + id + " " + by, std::string("acknowledged"));
  }
  answer<std::string> rebirth(const std::string& g, const std::string& e, timeout) override {
    return gate("rebirth " + g + "/" + e, std::string("rebirth requested"));
  }
  answer<query::node_stats> stats(timeout) override {
    query::node_stats s;
    s.host_id = "floe";
    s.now_ms = t0;
    return gate("stats", s);
  }
  answer<cluster::cluster_status> cluster(timeout) override {
    cluster::cluster_status s;
    s.enabled = true;
    s.self = "10.0.0.1:4711";
    s.majority = true;
    s.cluster_size = 3;
    s.live = 2;
    s.members.push_back({"10.0.0.1:4711", true, true, true, true, -1, "", -1, {}});
    s.members.push_back({"10.0.0.2:4711", false, true, true, true, 200, "", 5000,
                         {"10.0.0.1:4711", "10.0.0.2:4711"}});
    s.members.push_back({"10.0.0.3:4711", false, true, false, false, 9000, "connection_lost",
                         4000, {}});
    s.known_edge_nodes = 3;
    s.owned = {"Plant/A", "Plant/C"};
    return gate("cluster", s);
  }
};

struct fixture {
  fake_node node;
  std::ostringstream out;
  std::ostringstream err;
  int64_t now = t0;
  std::vector<int64_t> sleeps;
  shell sh;

  static shell_options options(bool json) {
    shell_options o;
    o.json = json;
    o.operator_name = "alice";
    return o;
  }

  shell_env env() {
    shell_env e;
    e.now_ms = [this] { return now; };
    e.sleep_ms = [this](int64_t ms) {
      sleeps.push_back(ms);
      now += ms;
      return true;
    };
    e.interrupted = [] { return false; };
    return e;
  }

  explicit fixture(bool json = false) : sh(node, out, err, options(json), env()) {
  }
};

struct json_fixture : fixture {
  json_fixture() : fixture(true) {
  }
};

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << s << "' lacks '" << part << "'");
  return false;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(admin_shell_text, fixture)

CAF_TEST(nodes_lists_every_edge_node_with_devices_online_of_total) {
  CAF_CHECK_EQUAL(sh.run_line("nodes"), exit_ok);
  auto text = out.str();
  CAF_CHECK(contains(text, "G/e1"));
  CAF_CHECK(contains(text, "online"));
  CAF_CHECK(contains(text, "1/2"));
  CAF_CHECK(contains(text, "1/2 edge nodes online"));
}

CAF_TEST(cluster_shows_each_member_with_its_state_and_the_owned_edge_nodes) {
  CAF_CHECK_EQUAL(sh.run_line("cluster"), exit_ok);
  auto text = out.str();
  CAF_CHECK(contains(text, "member 10.0.0.1:4711: majority, 2 of 3 live; owns 2 of 3 known"));
  CAF_CHECK(contains(text, "10.0.0.2:4711"));
  CAF_CHECK(contains(text, "down (connection_lost)"));
  CAF_CHECK(contains(text, "owned: Plant/A Plant/C"));
  // Every member is in the seeds here: no footnote.
  CAF_CHECK(text.find("not in this member's --seeds") == std::string::npos);
}

CAF_TEST(an_unknown_device_fails_with_exit_1_and_the_nodes_reason) {
  CAF_CHECK_EQUAL(sh.run_line("show G/e1/nope"), exit_failed);
  CAF_CHECK(contains(err.str(), "show: unknown device 'nope' of edge node G/e1"));
  CAF_CHECK(out.str().empty());
}

CAF_TEST(an_unreachable_node_fails_with_exit_2) {
  node.unreachable = true;
  CAF_CHECK_EQUAL(sh.run_line("nodes"), exit_unreachable);
  CAF_CHECK(contains(err.str(), "cannot reach floe-node at fake:1: connection refused"));
  CAF_CHECK_EQUAL(sh.prompt(), "floe fake:1 [unreachable]> ");
}

CAF_TEST(usage_errors_exit_64_without_asking_the_node) {
  CAF_CHECK_EQUAL(sh.run_line("show G/e1"), exit_usage);
  CAF_CHECK_EQUAL(sh.run_line("history G/e1/pump/x --window 10"), exit_usage);
  CAF_CHECK_EQUAL(sh.run_line("bogus"), exit_usage);
  CAF_CHECK_EQUAL(sh.run_line("show \"G/e1"), exit_usage);
  CAF_CHECK(node.calls.empty());
  CAF_CHECK_EQUAL(sh.run_line("# a comment"), exit_ok);
  CAF_CHECK_EQUAL(sh.run_line("   "), exit_ok);
}

CAF_TEST(devices_of_an_unknown_edge_node_fail_with_exit_1) {
  CAF_CHECK_EQUAL(sh.run_line("devices G/e1"), exit_ok);
  CAF_CHECK(contains(out.str(), "pump"));
  CAF_CHECK(contains(out.str(), "valve"));
  CAF_CHECK_EQUAL(sh.run_line("devices G/zz"), exit_failed);
  CAF_CHECK(contains(err.str(), "unknown edge node G/zz"));
}

CAF_TEST(show_with_dash_asks_for_the_node_metrics) {
  CAF_CHECK_EQUAL(sh.run_line("show G/e1/-"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "device G/e1/");
}

CAF_TEST(metric_finds_names_with_slashes_and_fails_for_unknown_ones) {
  host::device_state_view v;
  v.metrics = {metric("Node Control/Rebirth", "0", t0), metric("Load", "2.5", t0)};
  node.devices = {v};
  CAF_CHECK_EQUAL(sh.run_line("metric G/e1/-/Node Control/Rebirth"), exit_ok);
  CAF_CHECK(contains(out.str(), "G/e1/-/Node Control/Rebirth"));
  CAF_CHECK_EQUAL(sh.run_line("metric G/e1/-/Nope"), exit_failed);
  CAF_CHECK(contains(err.str(), "unknown metric 'Nope' of G/e1/-"));
}

CAF_TEST(history_asks_for_the_range_window_and_limit_given) {
  CAF_CHECK_EQUAL(sh.run_line("history G/e1/pump/Motor Current --from -1h --window 1m "
                              "--limit 7"),
                  exit_ok);
  const auto& rq = node.last_history;
  CAF_CHECK_EQUAL(rq.metric, "Motor Current");
  CAF_CHECK_EQUAL(rq.device, "pump");
  CAF_CHECK_EQUAL(rq.from_ms, t0 - 3'600'000);
  CAF_CHECK_EQUAL(rq.to_ms, t0 + 1);
  CAF_CHECK_EQUAL(rq.width_ms, 60'000);
  CAF_CHECK_EQUAL(rq.limit, 7u);
}

CAF_TEST(history_defaults_to_raw_points_of_the_last_ten_minutes_with_a_sparkline) {
  CAF_CHECK_EQUAL(sh.run_line("history G/e1/pump/m"), exit_ok);
  CAF_CHECK_EQUAL(node.last_history.to_ms - node.last_history.from_ms,
                  defaults::admin::history_span_ms);
  CAF_CHECK_EQUAL(node.last_history.width_ms, 0);
  CAF_CHECK(contains(out.str(), "4 points"));
  CAF_CHECK(contains(out.str(), "2026-11-03T10:15:03.000Z"));
  CAF_CHECK(contains(out.str(), "▁▃▆█  min 0  max 3"));
}

CAF_TEST(alarms_ack_and_rebirth_pass_their_arguments) {
  CAF_CHECK_EQUAL(sh.run_line("alarms"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "alarms active 100");
  CAF_CHECK_EQUAL(sh.run_line("alarms --all --limit 5"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "alarms all 5");
  CAF_CHECK_EQUAL(sh.run_line("ack G/e1/pump/Pressure:high"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "ack G/e1/pump/Pressure:high alice");
  CAF_CHECK_EQUAL(sh.run_line("ack X --by bob"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "ack X bob");
  CAF_CHECK_EQUAL(sh.run_line("rebirth G/e2"), exit_ok);
  CAF_CHECK_EQUAL(node.calls.back(), "rebirth G/e2");
  CAF_CHECK(contains(out.str(), "rebirth requested"));
}

CAF_TEST(tail_prints_only_values_that_changed_and_stops_after_its_seconds) {
  host::device_state_view a, b, c;
  a.online = b.online = true;
  a.metrics = {metric("P", "1", t0), metric("T", "20", t0)};
  b.metrics = {metric("P", "1", t0), metric("T", "21", t0 + 1000)};
  c = b;
  c.online = false;
  c.offline_timestamp = t0 + 2000;
  node.devices = {a, b, c};
  CAF_CHECK_EQUAL(sh.run_line("tail G/e1/pump --seconds 3"), exit_ok);
  auto text = out.str();
  CAF_CHECK(contains(text, "following G/e1/pump"));
  CAF_CHECK(contains(text, "P = 1"));
  CAF_CHECK(contains(text, "T = 20"));
  CAF_CHECK(contains(text, "T = 21"));
  CAF_CHECK(contains(text, "OFFLINE"));
  CAF_CHECK_EQUAL(text.find("P = 1"), text.rfind("P = 1")); // unchanged: printed once
  CAF_CHECK_EQUAL(node.device_calls, 3u);                   // 1 + one poll per second
  CAF_CHECK_EQUAL(now - t0, 3000);
}

CAF_TEST(quit_and_exit_end_the_session) {
  CAF_CHECK(!sh.quit_requested());
  CAF_CHECK_EQUAL(sh.run_line("exit"), exit_ok);
  CAF_CHECK(sh.quit_requested());
}

CAF_TEST(prompt_shows_address_and_health) {
  CAF_CHECK_EQUAL(sh.prompt(), "floe fake:1 [1/2 edge nodes online, 1 alarm]> ");
}

CAF_TEST(completion_of_commands_options_and_paths) {
  CAF_CHECK_EQUAL(sh.complete({}, "nod"), std::vector<std::string>{"nodes"});
  CAF_CHECK_EQUAL(sh.complete({"help"}, "re"), std::vector<std::string>{"rebirth"});
  CAF_CHECK_EQUAL(sh.complete({"rebirth"}, "G/"), (std::vector<std::string>{"G/e1", "G/e2"}));
  CAF_CHECK_EQUAL(sh.complete({"show"}, "G/e1/p"), std::vector<std::string>{"G/e1/pump"});
  CAF_CHECK_EQUAL(sh.complete({"show"}, "G/e1/"),
                  (std::vector<std::string>{"G/e1/-", "G/e1/pump", "G/e1/valve"}));
  CAF_CHECK_EQUAL(sh.complete({"history"}, "G/e1/pu"), std::vector<std::string>{"G/e1/pump/"});
  CAF_CHECK_EQUAL(sh.complete({"history", "G/e1/pump/x"}, "--w"),
                  std::vector<std::string>{"--window"});
  CAF_CHECK_EQUAL(sh.complete({"history", "G/e1/pump/x", "--window"}, "1"),
                  (std::vector<std::string>{"10s", "1m", "1h"}));
  CAF_CHECK(sh.complete({"nodes"}, "").empty());
  host::device_state_view v;
  v.metrics = {metric("Motor Current", "1", t0), metric("Running", "1", t0)};
  node.devices = {v};
  CAF_CHECK_EQUAL(sh.complete({"metric"}, "G/e1/pump/M"),
                  std::vector<std::string>{"G/e1/pump/Motor Current"});
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(admin_shell_json, json_fixture)

CAF_TEST(cluster_json_lists_members_and_owned_edge_nodes) {
  CAF_CHECK_EQUAL(sh.run_line("cluster"), exit_ok);
  auto j = nlohmann::json::parse(out.str());
  CAF_CHECK_EQUAL(j["command"], "cluster");
  CAF_CHECK_EQUAL(j["members"].size(), 3u);
  CAF_CHECK_EQUAL(j["members"][2]["last_down"], "connection_lost");
  CAF_CHECK_EQUAL(j["owned"].size(), 2u);
  CAF_CHECK_EQUAL(j["live"], 2);
}

CAF_TEST(json_replies_are_one_object_each) {
  CAF_CHECK_EQUAL(sh.run_line("nodes"), exit_ok);
  auto j = nlohmann::json::parse(out.str());
  CAF_CHECK_EQUAL(j["edge_nodes"].size(), 2u);
  CAF_CHECK_EQUAL(j["online"].get<int>(), 1);
  CAF_CHECK_EQUAL(j["edge_nodes"][0]["devices_online"].get<int>(), 1);
  CAF_CHECK_EQUAL(j["edge_nodes"][0]["bdseq"].get<int>(), 3);
}

CAF_TEST(json_errors_are_objects_with_the_exit_code) {
  CAF_CHECK_EQUAL(sh.run_line("show G/e1/nope"), exit_failed);
  auto j = nlohmann::json::parse(out.str());
  CAF_CHECK_EQUAL(j["exit_code"].get<int>(), 1);
  CAF_CHECK(contains(j["error"].get<std::string>(), "unknown device 'nope'"));
}

CAF_TEST(json_history_lists_points_with_numbers) {
  CAF_CHECK_EQUAL(sh.run_line("history G/e1/pump/m --from -1m"), exit_ok);
  auto j = nlohmann::json::parse(out.str());
  CAF_CHECK_EQUAL(j["points"].size(), 4u);
  CAF_CHECK_EQUAL(j["points"][3]["number"].get<double>(), 3.0);
  CAF_CHECK_EQUAL(j["from_ms"].get<int64_t>(), t0 - 60'000);
}

CAF_TEST_FIXTURE_SCOPE_END()
