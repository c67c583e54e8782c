#define CAF_SUITE sim_options
#include <caf/test/unit_test.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/options.hpp"

using namespace floe::sim;
namespace d = floe::defaults::sim;

namespace {

command_line parse(std::vector<std::string> args) {
  args.insert(args.begin(), "floe-sim");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string error_of(std::vector<std::string> args) {
  auto c = parse(std::move(args));
  if (c.what != command_line::action::fail)
    CAF_FAIL("accepted bad options");
  return c.text;
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << s << "' lacks '" << part << "'");
  return false;
}

} // namespace

CAF_TEST(defaults_come_from_the_defaults_header) {
  auto c = parse({});
  CAF_REQUIRE(c.what == command_line::action::run);
  const sim_options& o = c.options;
  CAF_CHECK_EQUAL(o.broker_uri, std::string(d::broker_uri));
  CAF_CHECK_EQUAL(o.group_id, std::string(d::group_id));
  CAF_CHECK_EQUAL(o.edge_nodes, d::edge_nodes);
  CAF_CHECK_EQUAL(o.devices_per_node, d::devices_per_node);
  CAF_CHECK_EQUAL(o.rate_per_s, d::rate_per_s);
  CAF_CHECK_EQUAL(o.seed, d::seed);
  CAF_CHECK_EQUAL(o.max_in_flight, d::max_in_flight_per_node);
  CAF_CHECK(!o.metrics.has_value());
  CAF_CHECK(o.progress);
  CAF_CHECK(o.primary_host.empty());
}

CAF_TEST(every_option_is_read) {
  auto c = parse({"--broker", "tcp://10.0.0.1:1884", "--group", "G", "--edge-prefix", "n",
                  "--edge-nodes", "100", "--devices-per-node", "100", "--rate", "0.25",
                  "--duration", "30", "--profile", "synthetic", "--metrics", "50", "--seed",
                  "18446744073709551615", "--primary-host", "scada", "--no-progress",
                  "--record", "r.jsonl", "--stats-json", "s.json", "--keep-alive", "10",
                  "--max-in-flight", "77", "--fault-skip-seq-every", "5",
                  "--fault-data-before-birth", "--fault-drop-every", "2.5",
                  "--fault-historical-every", "4", "--fault-null-every", "6",
                  "--fault-device-offline-every", "3", "--config-dir", "/etc/floe"});
  CAF_REQUIRE(c.what == command_line::action::run);
  const sim_options& o = c.options;
  CAF_CHECK_EQUAL(o.broker_uri, "tcp://10.0.0.1:1884");
  CAF_CHECK_EQUAL(o.group_id, "G");
  CAF_CHECK_EQUAL(o.edge_prefix, "n");
  CAF_CHECK_EQUAL(o.edge_nodes, 100u);
  CAF_CHECK_EQUAL(o.devices_per_node, 100u);
  CAF_CHECK_EQUAL(o.rate_per_s, 0.25);
  CAF_CHECK_EQUAL(o.duration_s, 30.0);
  CAF_CHECK_EQUAL(o.profile, "synthetic");
  CAF_CHECK(o.metrics == size_t{50});
  CAF_CHECK_EQUAL(o.seed, 18446744073709551615ull);
  CAF_CHECK_EQUAL(o.primary_host, "scada");
  CAF_CHECK(!o.progress);
  CAF_CHECK_EQUAL(o.record_path, "r.jsonl");
  CAF_CHECK_EQUAL(o.stats_json_path, "s.json");
  CAF_CHECK_EQUAL(o.keep_alive_s, 10);
  CAF_CHECK_EQUAL(o.max_in_flight, 77u);
  CAF_CHECK_EQUAL(o.fault_skip_seq_every, 5u);
  CAF_CHECK(o.fault_data_before_birth);
  CAF_CHECK_EQUAL(o.fault_drop_every_s, 2.5);
  CAF_CHECK_EQUAL(o.fault_historical_every, 4u);
  CAF_CHECK_EQUAL(o.fault_null_every, 6u);
  CAF_CHECK_EQUAL(o.fault_device_offline_every_s, 3.0);
  CAF_CHECK_EQUAL(o.config_dir, "/etc/floe");
}

CAF_TEST(bad_values_fail_with_the_option_named) {
  CAF_CHECK(contains(error_of({"--edge-nodes", "0"}), "--edge-nodes must be within 1.."));
  CAF_CHECK(contains(error_of({"--edge-nodes", "-5"}), "--edge-nodes"));
  CAF_CHECK(contains(error_of({"--edge-nodes", "ten"}), "edge-nodes"));
  CAF_CHECK(contains(error_of({"--devices-per-node", "1000000"}), "--devices-per-node"));
  CAF_CHECK(contains(error_of({"--rate", "-1"}), "--rate"));
  CAF_CHECK(contains(error_of({"--rate", "nan"}), "--rate"));
  CAF_CHECK(contains(error_of({"--duration", "-3"}), "--duration"));
  CAF_CHECK(contains(error_of({"--metrics", "0"}), "--metrics"));
  CAF_CHECK(contains(error_of({"--seed", "-1"}), "--seed must be an unsigned 64-bit integer"));
  CAF_CHECK(contains(error_of({"--seed", "99999999999999999999"}), "--seed"));
  CAF_CHECK(contains(error_of({"--group", "a/b"}), "--group 'a/b'"));
  CAF_CHECK(contains(error_of({"--edge-prefix", "x#"}), "--edge-prefix"));
  CAF_CHECK(contains(error_of({"--primary-host", "h+"}), "--primary-host"));
  CAF_CHECK(contains(error_of({"--broker", "localhost:1883"}), "needs a scheme"));
  CAF_CHECK(contains(error_of({"--fault-drop-every", "0.01"}), "--fault-drop-every"));
  CAF_CHECK(contains(error_of({"--keep-alive", "0"}), "--keep-alive"));
  CAF_CHECK(contains(error_of({"--no-such-option"}), "no-such-option"));
}

CAF_TEST(help_is_an_action_and_documents_defaults_and_units) {
  auto c = parse({"--help"});
  CAF_REQUIRE(c.what == command_line::action::help);
  CAF_CHECK(contains(c.text, "--edge-nodes"));
  CAF_CHECK(contains(c.text, "(=" + std::to_string(d::edge_nodes) + ")"));
  CAF_CHECK(contains(c.text, "messages/s"));
  CAF_CHECK(contains(c.text, "FLOE_SIM_"));
  CAF_CHECK(contains(c.text, "--fault-null-every"));
}

CAF_TEST(environment_sets_options_and_the_command_line_wins) {
  setenv("FLOE_SIM_EDGE_NODES", "7", 1);
  setenv("FLOE_SIM_PRIMARY_HOST", "scada", 1);
  setenv("FLOE_SIM_PROGRESS", "false", 1);
  setenv("FLOE_SIM_NOT_AN_OPTION", "1", 1);
  auto from_env = parse({});
  auto overridden = parse({"--edge-nodes", "9"});
  setenv("FLOE_SIM_RATE", "fast", 1);
  auto bad = parse({});
  unsetenv("FLOE_SIM_EDGE_NODES");
  unsetenv("FLOE_SIM_PRIMARY_HOST");
  unsetenv("FLOE_SIM_PROGRESS");
  unsetenv("FLOE_SIM_NOT_AN_OPTION");
  unsetenv("FLOE_SIM_RATE");
  CAF_REQUIRE(from_env.what == command_line::action::run);
  CAF_CHECK_EQUAL(from_env.options.edge_nodes, 7u);
  CAF_CHECK_EQUAL(from_env.options.primary_host, "scada");
  CAF_CHECK(!from_env.options.progress);
  CAF_REQUIRE(overridden.what == command_line::action::run);
  CAF_CHECK_EQUAL(overridden.options.edge_nodes, 9u);
  CAF_CHECK(bad.what == command_line::action::fail);
  CAF_CHECK(contains(bad.text, "rate"));
}

CAF_TEST(profile_names_resolve_in_the_config_dir_and_paths_stay_paths) {
  sim_options o;
  o.config_dir = std::string(FLOE_SOURCE_DIR) + "/config";
  o.profile = "ice_plant";
  auto path = resolve_profile_path(o);
  CAF_REQUIRE(path.has_value());
  CAF_CHECK(contains(*path, "/config/profiles/ice_plant.json"));
  o.profile = std::string(FLOE_SOURCE_DIR) + "/config/profiles/synthetic.json";
  auto direct = resolve_profile_path(o);
  CAF_REQUIRE(direct.has_value());
  CAF_CHECK_EQUAL(*direct, o.profile);
  o.profile = "no_such_profile";
  auto missing = resolve_profile_path(o);
  CAF_REQUIRE(!missing.has_value());
  CAF_CHECK(contains(missing.error(), "no_such_profile"));
  // Without --config-dir the source tree's config/ is found.
  o.config_dir.clear();
  o.profile = "ice_plant";
  CAF_CHECK(resolve_profile_path(o).has_value());
}
