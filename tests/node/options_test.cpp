#define CAF_SUITE node_options
#include <caf/test/unit_test.hpp>

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "node/node_options.hpp"

using namespace floe::node;
namespace d = floe::defaults;
namespace fs = std::filesystem;

namespace {

using env_list = std::vector<std::string>;

command_line parse(std::vector<std::string> args, const env_list& env = {}) {
  args.insert(args.begin(), "floe-node");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(args.size()), argv.data(), env);
}

// Parses with no config file at all unless the arguments choose one.
command_line parse_alone(std::vector<std::string> args, const env_list& env = {}) {
  args.insert(args.begin(), "--config=");
  return parse(std::move(args), env);
}

std::string error_of(const command_line& c) {
  if (c.what != command_line::action::fail) {
    CAF_MESSAGE("accepted options that should fail");
    return "<accepted>";
  }
  return c.text;
}

std::string error_of(std::vector<std::string> args, const env_list& env = {}) {
  return error_of(parse_alone(std::move(args), env));
}

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << s << "' lacks '" << part << "'");
  return false;
}

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class temp_dir {
public:
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "floe-node-options-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      CAF_FAIL("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  // Writes `text` to <dir>/<name> (creating sub directories) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p);
    out << text;
    if (!out)
      CAF_FAIL("cannot write " << p);
    return p.string();
  }
  std::string path(const std::string& name = {}) const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

private:
  fs::path path_;
};

// Changes the working directory for one scope.
class working_dir {
public:
  explicit working_dir(const std::string& dir) : old_(fs::current_path()) {
    fs::current_path(dir);
  }
  ~working_dir() {
    std::error_code ec;
    fs::current_path(old_, ec);
  }

private:
  fs::path old_;
};

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (out.empty() || out.back() == ' '))
      continue;
    out += space ? ' ' : c;
  }
  return out;
}

// The help entry of one option, from "--name" to the next option, whitespace squeezed.
std::string help_entry(const std::string& help, const std::string& name) {
  auto start = help.find("  --" + name + " ");
  if (start == std::string::npos)
    return {};
  auto next_option = help.find("\n  -", start + 1);
  auto next_section = help.find("\n\n", start + 1);
  return squeeze(help.substr(start, std::min(next_option, next_section) - start));
}

// The long options --help prints (every "--name" starting a line).
std::set<std::string> options_in_help(const std::string& help) {
  std::set<std::string> out;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos || line.compare(first, 2, "--") != 0)
      continue;
    auto end = line.find(' ', first);
    out.insert(line.substr(first + 2, end == std::string::npos ? end : end - first - 2));
  }
  return out;
}

std::string num(int64_t v) {
  return std::to_string(v);
}

struct documented {
  std::string name;
  std::string unit;          // "" = none to check
  std::string default_text;  // must follow "default " in the help entry
};

// Every option but --help, with the unit and default its help entry must show.
const std::vector<documented>& every_option() {
  static const std::vector<documented> list = {
    {"config", "path", "<config dir>/floe.ini"},
    {"broker", "", std::string(d::mqtt::broker_uri)},
    {"host-id", "", std::string(d::mqtt::host_id)},
    {"client-id", "", "floe-<host id>"},
    {"mqtt-username", "", "none"},
    {"mqtt-password", "", "none"},
    {"mqtt-tls-ca", "PEM path", "none"},
    {"mqtt-tls-cert", "PEM path", "none"},
    {"mqtt-tls-key", "PEM path", "none"},
    {"mqtt-keep-alive", "s, 1..3600", num(d::mqtt::keep_alive_s)},
    {"reconnect-min", "ms", num(d::mqtt::reconnect_min_ms)},
    {"reconnect-max", "ms", num(d::mqtt::reconnect_max_ms)},
    {"subscribe-qos", "0|1", num(d::mqtt::subscribe_qos)},
    {"groups", "group ids", "none = every group"},
    {"reorder-timeout", "ms", num(d::host::reorder_timeout_ms)},
    {"reorder-buffer", "messages, 0..127", num(d::host::reorder_buffer_max_messages)},
    {"rebirth-throttle", "ms", num(d::host::rebirth_throttle_ms)},
    {"ingest-backlog", "bytes", std::to_string(d::host::ingest_backlog_bytes) + " = 64 MiB"},
    {"data-dir", "path", std::string(d::store::data_dir)},
    {"store-durability", "sync|wal|none", std::string(d::store::durability)},
    {"store-write-buffer", "bytes", std::to_string(d::store::write_buffer_bytes) + " = 64 MiB"},
    {"store-memtable-budget", "bytes", std::to_string(d::store::memtable_budget_bytes) + " = 64 MiB"},
    {"store-hinted-series", "series", num(d::store::hinted_series)},
    {"store-block-cache", "bytes", std::to_string(d::store::block_cache_bytes) + " = 128 MiB"},
    {"store-batch-max", "points", num(d::node::store_batch_max_points)},
    {"retention-points", "h", num(d::node::points_retention_h)},
    {"retention-windows", "h", num(d::node::windows_retention_h)},
    {"retention-interval", "s", num(d::node::retention_interval_s)},
    {"windows", "", "10s,1m,1h"},
    {"allowed-lateness", "ms", num(d::windows::allowed_lateness_ms)},
    {"aggregators", "count, 1..64", num(d::windows::aggregator_count)},
    {"alarm-rules", "path", "none"},
    {"cluster-port", "port, 0..65535", num(d::cluster::port)},
    {"cluster-bind", "address", std::string(d::cluster::bind)},
    {"cluster-advertise", "host:port", "<cluster-bind>:<cluster-port>"},
    {"seeds", "", "none"},
    {"cluster-size", "members", num(d::cluster::size)},
    {"cluster-heartbeat", "ms", num(d::cluster::heartbeat_interval_ms)},
    {"cluster-timeout", "ms", num(d::cluster::heartbeat_timeout_ms)},
    {"cluster-connect-timeout", "ms", num(d::cluster::connect_timeout_ms)},
    {"cluster-reconnect", "ms", num(d::cluster::reconnect_interval_ms)},
    {"cluster-tls-cert", "PEM path", "none"},
    {"cluster-tls-key", "PEM path", "none"},
    {"cluster-tls-ca", "PEM path", "none"},
    {"admin-port", "port, 0..65535", num(d::node::admin_port)},
    {"admin-bind", "address", std::string(d::node::admin_bind)},
    {"worker-threads", "threads", num(d::node::worker_threads)},
    {"stats-interval", "s", num(d::node::stats_interval_s)},
  };
  return list;
}

// Checks every field against config/defaults.hpp except alarm_rules and config_file.
void check_defaults(const node_options& o) {
  CAF_CHECK_EQUAL(o.broker_uri, std::string(d::mqtt::broker_uri));
  CAF_CHECK_EQUAL(o.host_id, std::string(d::mqtt::host_id));
  CAF_CHECK_EQUAL(o.client_id, "");
  CAF_CHECK_EQUAL(o.mqtt_username, "");
  CAF_CHECK_EQUAL(o.mqtt_password, "");
  CAF_CHECK_EQUAL(o.mqtt_tls_ca, "");
  CAF_CHECK_EQUAL(o.mqtt_tls_cert, "");
  CAF_CHECK_EQUAL(o.mqtt_tls_key, "");
  CAF_CHECK_EQUAL(o.keep_alive_s, d::mqtt::keep_alive_s);
  CAF_CHECK_EQUAL(o.reconnect_min_ms, d::mqtt::reconnect_min_ms);
  CAF_CHECK_EQUAL(o.reconnect_max_ms, d::mqtt::reconnect_max_ms);
  CAF_CHECK_EQUAL(o.subscribe_qos, d::mqtt::subscribe_qos);
  CAF_CHECK(o.groups.empty());
  CAF_CHECK_EQUAL(o.reorder_timeout_ms, d::host::reorder_timeout_ms);
  CAF_CHECK_EQUAL(o.reorder_buffer, d::host::reorder_buffer_max_messages);
  CAF_CHECK_EQUAL(o.rebirth_throttle_ms, d::host::rebirth_throttle_ms);
  CAF_CHECK_EQUAL(o.data_dir, std::string(d::store::data_dir));
  CAF_CHECK_EQUAL(o.durability, std::string(d::store::durability));
  CAF_CHECK_EQUAL(o.write_buffer_bytes, d::store::write_buffer_bytes);
  CAF_CHECK_EQUAL(o.memtable_budget_bytes, d::store::memtable_budget_bytes);
  CAF_CHECK_EQUAL(o.block_cache_bytes, d::store::block_cache_bytes);
  CAF_CHECK_EQUAL(o.batch_max_points, d::node::store_batch_max_points);
  CAF_CHECK_EQUAL(o.points_retention_h, d::node::points_retention_h);
  CAF_CHECK_EQUAL(o.windows_retention_h, d::node::windows_retention_h);
  CAF_CHECK_EQUAL(o.retention_interval_s, d::node::retention_interval_s);
  CAF_CHECK(o.window_widths_ms
            == std::vector<int64_t>(std::begin(d::windows::widths_ms),
                                    std::end(d::windows::widths_ms)));
  CAF_CHECK_EQUAL(o.allowed_lateness_ms, d::windows::allowed_lateness_ms);
  CAF_CHECK_EQUAL(o.aggregators, d::windows::aggregator_count);
  CAF_CHECK_EQUAL(o.admin_port, d::node::admin_port);
  CAF_CHECK_EQUAL(o.admin_bind, std::string(d::node::admin_bind));
  CAF_CHECK_EQUAL(o.stats_interval_s, d::node::stats_interval_s);
}

const std::string source_config = std::string(FLOE_SOURCE_DIR) + "/config";
const std::string shipped_rules = source_config + "/alarms/ice_plant.json";

} // namespace

CAF_TEST(without a config file every value is the default) {
  for (const auto& no_file : {std::vector<std::string>{"--config="},
                              std::vector<std::string>{"--config", ""}}) {
    auto c = parse(no_file);
    CAF_REQUIRE(c.what == command_line::action::run);
    check_defaults(c.options);
    CAF_CHECK_EQUAL(c.options.alarm_rules, "");
    CAF_CHECK_EQUAL(c.options.config_file, "");
  }
}

CAF_TEST(every option is read from the command line) {
  temp_dir tmp;
  auto ca = tmp.write("ca.pem", "ca");
  auto cert = tmp.write("cert.pem", "cert");
  auto key = tmp.write("key.pem", "key");
  auto c = parse_alone(
    {"--broker", "ssl://broker:8883", "--host-id", "scada", "--client-id", "floe-a",
     "--mqtt-username", "user", "--mqtt-password", "secret", "--mqtt-tls-ca", ca,
     "--mqtt-tls-cert", cert, "--mqtt-tls-key", key, "--mqtt-keep-alive", "3600",
     "--reconnect-min", "100", "--reconnect-max", "100", "--subscribe-qos", "0", "--groups",
     "plant-a, plant-b", "--reorder-timeout", "0", "--reorder-buffer", "127",
     "--rebirth-throttle", "1000", "--data-dir", "/var/lib/floe", "--store-durability", "wal",
     "--store-write-buffer", "1048576", "--store-memtable-budget", "0", "--store-block-cache", "2097152", "--store-batch-max",
     "500", "--retention-points", "0", "--retention-windows", "48", "--retention-interval", "60",
     "--windows", "1m,10s", "--allowed-lateness", "0", "--aggregators", "64", "--alarm-rules",
     shipped_rules, "--admin-port", "0", "--admin-bind", "0.0.0.0", "--stats-interval", "0"});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  const node_options& o = c.options;
  CAF_CHECK_EQUAL(o.broker_uri, "ssl://broker:8883");
  CAF_CHECK_EQUAL(o.host_id, "scada");
  CAF_CHECK_EQUAL(o.client_id, "floe-a");
  CAF_CHECK_EQUAL(o.mqtt_username, "user");
  CAF_CHECK_EQUAL(o.mqtt_password, "secret");
  CAF_CHECK_EQUAL(o.mqtt_tls_ca, ca);
  CAF_CHECK_EQUAL(o.mqtt_tls_cert, cert);
  CAF_CHECK_EQUAL(o.mqtt_tls_key, key);
  CAF_CHECK_EQUAL(o.keep_alive_s, 3600);
  CAF_CHECK_EQUAL(o.reconnect_min_ms, 100);
  CAF_CHECK_EQUAL(o.reconnect_max_ms, 100);
  CAF_CHECK_EQUAL(o.subscribe_qos, 0);
  CAF_CHECK(o.groups == (std::vector<std::string>{"plant-a", "plant-b"}));
  CAF_CHECK_EQUAL(o.reorder_timeout_ms, 0);
  CAF_CHECK_EQUAL(o.reorder_buffer, 127u);
  CAF_CHECK_EQUAL(o.rebirth_throttle_ms, 1000);
  CAF_CHECK_EQUAL(o.data_dir, "/var/lib/floe");
  CAF_CHECK_EQUAL(o.durability, "wal");
  CAF_CHECK_EQUAL(o.write_buffer_bytes, 1048576u);
  CAF_CHECK_EQUAL(o.memtable_budget_bytes, 0u);
  CAF_CHECK_EQUAL(o.block_cache_bytes, 2097152u);
  CAF_CHECK_EQUAL(o.batch_max_points, 500u);
  CAF_CHECK_EQUAL(o.points_retention_h, 0);
  CAF_CHECK_EQUAL(o.windows_retention_h, 48);
  CAF_CHECK_EQUAL(o.retention_interval_s, 60);
  CAF_CHECK(o.window_widths_ms == (std::vector<int64_t>{10'000, 60'000}));
  CAF_CHECK_EQUAL(o.allowed_lateness_ms, 0);
  CAF_CHECK_EQUAL(o.aggregators, 64u);
  CAF_CHECK_EQUAL(o.alarm_rules, shipped_rules);
  CAF_CHECK_EQUAL(o.admin_port, 0u);
  CAF_CHECK_EQUAL(o.admin_bind, "0.0.0.0");
  CAF_CHECK_EQUAL(o.stats_interval_s, 0);
  CAF_CHECK_EQUAL(o.config_file, "");
}

CAF_TEST(environment FLOE_OPTION sets options and unknown FLOE_ variables are ignored) {
  auto c = parse_alone({}, {"FLOE_DATA_DIR=/srv/floe", "FLOE_MQTT_KEEP_ALIVE=12",
                            "FLOE_GROUPS=g1,g2", "FLOE_BUILD_DIR=/work/main/build-opt",
                            "FLOE_SIM_EDGE_NODES=100", "FLOE_HELP=1", "FLOE_host_id=lower",
                            "FLOE_=x", "PATH=/usr/bin", "FLOE_NO_EQUALS_SIGN",
                            "FLOE_ADMIN_PORT=1234", "FLOE_ADMIN_PORT=999999"});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(c.options.data_dir, "/srv/floe");
  CAF_CHECK_EQUAL(c.options.keep_alive_s, 12);
  CAF_CHECK(c.options.groups == (std::vector<std::string>{"g1", "g2"}));
  CAF_CHECK_EQUAL(c.options.host_id, std::string(d::mqtt::host_id));
  // The first entry of a name counts, as with getenv().
  CAF_CHECK_EQUAL(c.options.admin_port, 1234u);
}

CAF_TEST(environment overrides the config file but not the command line) {
  temp_dir tmp;
  auto ini = tmp.write("node.ini", "data-dir = /from/file\n"
                                   "host-id = file-host\n"
                                   "admin-port = 1111\n");
  auto c = parse({"--config", ini, "--data-dir", "/from/cli"},
                 {"FLOE_DATA_DIR=/from/env", "FLOE_HOST_ID=env-host"});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(c.options.data_dir, "/from/cli");
  CAF_CHECK_EQUAL(c.options.host_id, "env-host");
  CAF_CHECK_EQUAL(c.options.admin_port, 1111u);
  CAF_CHECK_EQUAL(c.options.config_file, ini);
}

CAF_TEST(config file values are read and the file read is reported) {
  temp_dir tmp;
  auto ini = tmp.write("node.ini", "# a comment\n"
                                   "\n"
                                   "broker = mqtts://broker.example:8883\n"
                                   "  windows   =  500ms , 1d  \n"
                                   "groups = site-1\n"
                                   "store-durability = none\n"
                                   "mqtt-password = p#ss\n");
  auto c = parse({"--config", ini});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(c.options.broker_uri, "mqtts://broker.example:8883");
  CAF_CHECK(c.options.window_widths_ms == (std::vector<int64_t>{500, 86'400'000}));
  CAF_CHECK(c.options.groups == std::vector<std::string>{"site-1"});
  CAF_CHECK_EQUAL(c.options.durability, "none");
  CAF_CHECK_EQUAL(c.options.config_file, ini);
  CAF_CHECK_EQUAL(c.options.host_id, std::string(d::mqtt::host_id));
}

CAF_TEST(FLOE_CONFIG selects the config file and --config overrides it) {
  temp_dir tmp;
  auto env_ini = tmp.write("env.ini", "host-id = from-env-file\n");
  auto cli_ini = tmp.write("cli.ini", "host-id = from-cli-file\n");
  auto by_env = parse({}, {"FLOE_CONFIG=" + env_ini});
  CAF_REQUIRE(by_env.what == command_line::action::run);
  CAF_CHECK_EQUAL(by_env.options.host_id, "from-env-file");
  CAF_CHECK_EQUAL(by_env.options.config_file, env_ini);
  auto by_cli = parse({"--config", cli_ini}, {"FLOE_CONFIG=" + env_ini});
  CAF_REQUIRE(by_cli.what == command_line::action::run);
  CAF_CHECK_EQUAL(by_cli.options.host_id, "from-cli-file");
  CAF_CHECK_EQUAL(by_cli.options.config_file, cli_ini);
  auto none = parse({}, {"FLOE_CONFIG="});
  CAF_REQUIRE(none.what == command_line::action::run);
  CAF_CHECK_EQUAL(none.options.config_file, "");
  CAF_CHECK_EQUAL(none.options.alarm_rules, "");
}

CAF_TEST(an explicitly given config file must exist) {
  temp_dir tmp;
  auto missing = tmp.path("missing.ini");
  auto cli = error_of(parse({"--config", missing}));
  CAF_CHECK(contains(cli, "--config '" + missing + "'"));
  CAF_CHECK(contains(cli, "no such file"));
  CAF_CHECK(contains(cli, "command line"));
  auto env = error_of(parse({}, {"FLOE_CONFIG=" + missing}));
  CAF_CHECK(contains(env, missing));
  CAF_CHECK(contains(env, "FLOE_CONFIG"));
  CAF_CHECK(contains(error_of(parse({"--config", tmp.path()})), "is not a regular file"));
}

CAF_TEST(without --config the shipped config floe.ini is read) {
  CAF_CHECK_EQUAL(default_config_dir(), source_config);
  auto c = parse({});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(c.options.config_file, source_config + "/floe.ini");
  // Relative to the config file, not to the working directory.
  CAF_CHECK_EQUAL(c.options.alarm_rules, shipped_rules);
  check_defaults(c.options);
}

CAF_TEST(the shipped floe.ini documents every option and its commented defaults are the defaults) {
  std::ifstream in(source_config + "/floe.ini");
  CAF_REQUIRE(in.good());
  std::set<std::string> names;
  for (const auto& opt : every_option())
    names.insert(opt.name);
  // Uncomment every "# key = value" line of a known key; nothing may change.
  std::string uncommented;
  std::set<std::string> documented_keys;
  for (std::string line; std::getline(in, line);) {
    std::string body = line;
    if (body.rfind("# ", 0) == 0)
      body = body.substr(2);
    auto eq = body.find(" =");
    std::string key = eq == std::string::npos ? std::string{} : body.substr(0, eq);
    if (names.count(key) != 0) {
      documented_keys.insert(key);
      uncommented += body + "\n";
    } else {
      uncommented += line + "\n";
    }
  }
  for (const auto& name : names) {
    if (name == "config" || documented_keys.count(name) == 1)
      continue;
    CAF_ERROR("floe.ini lacks key " << name);
  }
  CAF_CHECK_EQUAL(documented_keys.size(), names.size() - 1);
  temp_dir tmp;
  tmp.write("alarms/ice_plant.json", "{}");
  auto ini = tmp.write("floe.ini", uncommented);
  auto c = parse({"--config", ini});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_REQUIRE(c.what == command_line::action::run);
  check_defaults(c.options);
  CAF_CHECK_EQUAL(c.options.alarm_rules, tmp.path("alarms/ice_plant.json"));
}

CAF_TEST(unknown key in the config file names the file and the key) {
  temp_dir tmp;
  auto ini = tmp.write("node.ini", "data-dir = /x\nreorder-timout = 10\n");
  auto err = error_of(parse({"--config", ini}));
  CAF_CHECK(contains(err, ini));
  CAF_CHECK(contains(err, "unknown key 'reorder-timout'"));
  auto section = tmp.write("section.ini", "[mqtt]\nbroker = tcp://h:1\n");
  CAF_CHECK(contains(error_of(parse({"--config", section})), "unknown key 'mqtt.broker'"));
  // The default file is checked as strictly as an explicit one; the environment is not a file.
  CAF_CHECK(parse({"--config", ini}, {"FLOE_REORDER_TIMOUT=1"}).what
            == command_line::action::fail);
}

CAF_TEST(config file syntax errors repeated keys and command line keys name the file) {
  temp_dir tmp;
  auto bad_line = tmp.write("bad.ini", "data-dir /x\n");
  auto err = error_of(parse({"--config", bad_line}));
  CAF_CHECK(contains(err, bad_line));
  CAF_CHECK(contains(err, "data-dir /x"));
  auto twice = tmp.write("twice.ini", "host-id = a\nhost-id = b\n");
  err = error_of(parse({"--config", twice}));
  CAF_CHECK(contains(err, twice));
  CAF_CHECK(contains(err, "host-id is given twice"));
  auto nested = tmp.write("nested.ini", "config = other.ini\n");
  err = error_of(parse({"--config", nested}));
  CAF_CHECK(contains(err, nested));
  CAF_CHECK(contains(err, "'config' is not allowed in a config file"));
  auto bad_value = tmp.write("value.ini", "admin-port = 70000\n");
  err = error_of(parse({"--config", bad_value}));
  CAF_CHECK(contains(err, "--admin-port must be a whole number within 0..65535, got '70000'"));
  CAF_CHECK(contains(err, "config file " + bad_value));
}

CAF_TEST(relative alarm-rules paths follow the config file or the working directory) {
  temp_dir tmp;
  auto rules = tmp.write("conf/rules/plant.json", "{}");
  auto ca = tmp.write("conf/certs/ca.pem", "ca");
  auto ini = tmp.write("conf/node.ini", "alarm-rules = rules/plant.json\n"
                                        "mqtt-tls-ca = certs/ca.pem\n");
  {
    working_dir cwd(tmp.path());
    // Relative to the file, also when the file itself is given relative.
    auto c = parse({"--config", "conf/node.ini"});
    CAF_REQUIRE_EQUAL(c.text, "");
    CAF_CHECK_EQUAL(c.options.alarm_rules, rules);
    CAF_CHECK_EQUAL(c.options.mqtt_tls_ca, ca);
    CAF_CHECK_EQUAL(c.options.config_file, ini);
    // Command line and environment: relative to the working directory.
    auto cli = error_of(parse_alone({"--alarm-rules", "rules/plant.json"}));
    CAF_CHECK(contains(cli, "--alarm-rules 'rules/plant.json'"));
    CAF_CHECK(contains(cli, "does not exist"));
    CAF_CHECK(contains(cli, "command line"));
    auto env = error_of(parse_alone({}, {"FLOE_ALARM_RULES=rules/plant.json"}));
    CAF_CHECK(contains(env, "FLOE_ALARM_RULES"));
  }
  {
    working_dir cwd(tmp.path("conf"));
    auto cli = parse_alone({"--alarm-rules", "rules/plant.json"});
    CAF_REQUIRE_EQUAL(cli.text, "");
    CAF_CHECK(fs::equivalent(cli.options.alarm_rules, rules));
    auto env = parse_alone({}, {"FLOE_ALARM_RULES=rules/plant.json"});
    CAF_REQUIRE_EQUAL(env.text, "");
    CAF_CHECK(fs::equivalent(env.options.alarm_rules, rules));
    // An empty value means no rules, also over the config file's.
    auto off = parse({"--config", "node.ini", "--alarm-rules="});
    CAF_REQUIRE_EQUAL(off.text, "");
    CAF_CHECK_EQUAL(off.options.alarm_rules, "");
  }
  auto missing_in_file = tmp.write("conf/missing.ini", "alarm-rules = nope.json\n");
  auto err = error_of(parse({"--config", missing_in_file}));
  CAF_CHECK(contains(err, "--alarm-rules 'nope.json'"));
  CAF_CHECK(contains(err, tmp.path("conf/nope.json")));
  CAF_CHECK(contains(err, "config file " + missing_in_file));
  CAF_CHECK(contains(error_of({"--alarm-rules", tmp.path("conf")}), "is not a regular file"));
  CAF_CHECK(contains(error_of({"--mqtt-tls-key", tmp.path("no.key")}), "--mqtt-tls-key"));
}

CAF_TEST(--windows accepts unit suffixes and rejects duplicates) {
  auto c = parse_alone({"--windows", "1d,1h,1m,10s,500ms,250,366d"});
  CAF_REQUIRE_EQUAL(c.text, "");
  CAF_CHECK(c.options.window_widths_ms
            == (std::vector<int64_t>{250, 500, 10'000, 60'000, 3'600'000, 86'400'000,
                                     366LL * 86'400'000}));
  auto dup = error_of({"--windows", "10s,60s,1m"});
  CAF_CHECK(contains(dup, "--windows '10s,60s,1m': duplicate width 1m ('1m')"));
  CAF_CHECK(contains(dup, "at most 366d"));
  CAF_CHECK(contains(error_of({"--windows", "1000,1s"}), "duplicate width 1s"));
  CAF_CHECK(contains(error_of({"--windows", "0s"}), "width '0s' is out of range"));
  CAF_CHECK(contains(error_of({"--windows", "367d"}), "width '367d' is out of range"));
  CAF_CHECK(contains(error_of({"--windows", "99999999999999999999ms"}), "out of range"));
  CAF_CHECK(contains(error_of({"--windows", "10x"}), "'10x' is not a width"));
  CAF_CHECK(contains(error_of({"--windows", "1.5s"}), "'1.5s' is not a width"));
  CAF_CHECK(contains(error_of({"--windows", "-1s"}), "'-1s' is not a width"));
  CAF_CHECK(contains(error_of({"--windows", "s"}), "'s' is not a width"));
  CAF_CHECK(contains(error_of({"--windows", "10s,,1m"}), "empty item"));
  CAF_CHECK(contains(error_of({"--windows="}), "--windows needs at least one width"));
}

CAF_TEST(numeric options reject bad values naming the option the value and the range) {
  struct bad {
    const char* option;
    const char* value;
    const char* range;
  };
  const bad cases[] = {
    {"mqtt-keep-alive", "0", "1..3600"},        {"mqtt-keep-alive", "3601", "1..3600"},
    {"reconnect-min", "0", "1..3600000"},       {"reconnect-max", "ten", "1..3600000"},
    {"reorder-timeout", "-1", "0..600000"},     {"reorder-buffer", "128", "0..127"},
    {"rebirth-throttle", "1e3", "0..3600000"},  {"store-write-buffer", "0", "1.."},
    {"store-block-cache", "-1", "1.."},         {"store-batch-max", "0", "1..10000000"},
    {"retention-points", "-1", "0.."},          {"retention-windows", "x", "0.."},
    {"retention-interval", "0", "1..604800"},   {"allowed-lateness", "-5", "0.."},
    {"aggregators", "0", "1..64"},              {"aggregators", "65", "1..64"},
    {"admin-port", "65536", "0..65535"},        {"admin-port", "-1", "0..65535"},
    {"stats-interval", "-1", "0..86400"},       {"admin-port", "99999999999999999999", "0..65535"},
  };
  for (const auto& b : cases) {
    auto err = error_of({std::string("--") + b.option, b.value});
    CAF_CHECK(contains(err, std::string("--") + b.option + " must be a whole number within "
                              + b.range));
    CAF_CHECK(contains(err, std::string("got '") + b.value + "'"));
  }
  // The limits themselves are accepted.
  auto edge = parse_alone({"--admin-port", "65535", "--mqtt-keep-alive", "1", "--aggregators",
                           "1", "--retention-windows", "0"});
  CAF_REQUIRE_EQUAL(edge.text, "");
  CAF_CHECK_EQUAL(edge.options.admin_port, 65535u);
  CAF_CHECK_EQUAL(edge.options.keep_alive_s, 1);
  CAF_CHECK_EQUAL(edge.options.aggregators, 1u);
}

CAF_TEST(qos durability broker host id and groups are checked) {
  CAF_CHECK(contains(error_of({"--subscribe-qos", "2"}), "--subscribe-qos must be 0 or 1, got '2'"));
  CAF_CHECK(contains(error_of({"--store-durability", "fsync"}),
                     "--store-durability must be sync, wal or none, got 'fsync'"));
  CAF_CHECK(contains(error_of({"--broker", "localhost:1883"}),
                     "--broker 'localhost:1883' must start with tcp://, ssl://, mqtt:// or "
                     "mqtts://"));
  CAF_CHECK(contains(error_of({"--broker", "http://h:1"}), "must start with tcp://"));
  CAF_CHECK(contains(error_of({"--broker", "tcp://"}), "needs host:port"));
  for (const char* ok : {"tcp://h:1883", "ssl://h:8883", "mqtt://h:1883", "mqtts://h:8883"})
    CAF_CHECK(parse_alone({"--broker", ok}).what == command_line::action::run);
  auto host = error_of({"--host-id", "scada/1"});
  CAF_CHECK(contains(host, "--host-id 'scada/1' is not a valid Sparkplug host id"));
  CAF_CHECK(contains(host, "'/' at byte 5"));
  CAF_CHECK(contains(error_of({"--host-id="}), "--host-id '' is not a valid Sparkplug host id"));
  CAF_CHECK(contains(error_of({"--groups", "ok,bad+group"}),
                     "--groups 'bad+group' is not a valid Sparkplug group id"));
  CAF_CHECK(contains(error_of({"--groups", "a,b,a"}), "lists group 'a' twice"));
  CAF_CHECK(contains(error_of({"--groups", "a,,b"}), "--groups '' is not a valid"));
  CAF_CHECK(contains(error_of({"--data-dir="}), "--data-dir must not be empty"));
  CAF_CHECK(contains(error_of({"--admin-bind="}), "--admin-bind must not be empty"));
  auto all_groups = parse_alone({"--groups="});
  CAF_REQUIRE(all_groups.what == command_line::action::run);
  CAF_CHECK(all_groups.options.groups.empty());
}

CAF_TEST(reconnect-min must not exceed reconnect-max wherever they come from) {
  auto err = error_of({"--reconnect-min", "9000"});
  CAF_CHECK(contains(err, "--reconnect-min (9000 ms, command line) must not exceed "
                          "--reconnect-max (8000 ms, default)"));
  err = error_of({"--reconnect-max", "100"}, {});
  CAF_CHECK(contains(err, "--reconnect-max is inconsistent"));
  err = error_of({"--reconnect-max", "100"}, {"FLOE_RECONNECT_MIN=200"});
  CAF_CHECK(contains(err, "(200 ms, environment FLOE_RECONNECT_MIN)"));
  CAF_CHECK(parse_alone({"--reconnect-min", "8000"}).what == command_line::action::run);
}

CAF_TEST(errors name where the value came from) {
  auto env = error_of({}, {"FLOE_SUBSCRIBE_QOS=2"});
  CAF_CHECK(contains(env, "--subscribe-qos must be 0 or 1, got '2' (from environment "
                          "FLOE_SUBSCRIBE_QOS)"));
  auto cli = error_of({"--aggregators", "0"});
  CAF_CHECK(contains(cli, "(from command line)"));
  temp_dir tmp;
  auto ini = tmp.write("node.ini", "windows = 10s,10s\n");
  auto file = error_of(parse({"--config", ini}));
  CAF_CHECK(contains(file, "(from config file " + ini + ")"));
}

CAF_TEST(command line mistakes fail instead of throwing) {
  CAF_CHECK(contains(error_of({"--no-such-option"}), "no-such-option"));
  CAF_CHECK(contains(error_of({"--broker"}), "broker"));
  CAF_CHECK(contains(error_of({"--data-dir", "a", "--data-dir", "b"}),
                     "--data-dir is given twice"));
  CAF_CHECK(contains(error_of({"stray"}), "stray"));
  // No guessing of abbreviated names.
  CAF_CHECK(contains(error_of({"--data", "x"}), "data"));
  CAF_CHECK(contains(error_of({"--help=yes"}), "help"));
}

CAF_TEST(help lists every option with its default) {
  auto c = parse({"--help"});
  CAF_REQUIRE(c.what == command_line::action::help);
  const std::string& help = c.text;
  // The rule comes first, before the options.
  auto rule = help.find("Precedence: command line > environment FLOE_<OPTION> > config file > "
                        "defaults\n");
  CAF_CHECK(rule != std::string::npos && rule < help.find("--config"));
  CAF_CHECK(contains(help, "FLOE_DATA_DIR=/var/lib/floe for --data-dir"));
  CAF_CHECK(contains(help, default_config_dir() + "/floe.ini"));
  CAF_CHECK(contains(help, "--help"));
  for (const char* section :
       {"MQTT / Sparkplug host:", "Host rules:", "Storage:", "Windows:", "Alarms:",
        "Cluster (docs/cluster.md):", "Admin / operations:"})
    CAF_CHECK(contains(help, section));
  std::set<std::string> listed;
  for (const auto& opt : every_option()) {
    listed.insert(opt.name);
    auto entry = help_entry(help, opt.name);
    if (entry.empty())
      CAF_ERROR("--help lacks --" << opt.name);
    CAF_CHECK(contains(entry, "default " + opt.default_text));
    if (!opt.unit.empty())
      CAF_CHECK(contains(entry, "(" + opt.unit));
  }
  CAF_CHECK(contains(help_entry(help, "reorder-timeout"),
                     "reorder timeout: how long a seq gap may stay open before a rebirth is "
                     "requested (ms, 0..600000; default 5000)"));
  // The list above is complete: --help shows no option it lacks.
  CAF_CHECK(options_in_help(help) == listed);
}

CAF_TEST(a cluster member is named by its bind address and port unless it advertises another) {
  auto c = parse({"--cluster-port", "4711", "--seeds", "127.0.0.1:4711,127.0.0.1:4712"});
  CAF_REQUIRE(c.what == command_line::action::run);
  CAF_CHECK_EQUAL(c.options.cluster_advertise, "127.0.0.1:4711");
  CAF_CHECK_EQUAL(c.options.seeds.size(), 2u);
  auto adv = parse({"--cluster-port", "4711", "--cluster-bind", "0.0.0.0", "--cluster-advertise",
                    "plant-a.lan:4711"});
  CAF_REQUIRE(adv.what == command_line::action::run);
  CAF_CHECK_EQUAL(adv.options.cluster_advertise, "plant-a.lan:4711");
}

CAF_TEST(cluster options that cannot work are refused with the option named) {
  auto wildcard = parse({"--cluster-port", "4711", "--cluster-bind", "0.0.0.0"});
  CAF_CHECK(wildcard.what == command_line::action::fail);
  CAF_CHECK(contains(wildcard.text, "--cluster-advertise"));
  auto no_port = parse({"--seeds", "10.0.0.2:4711"});
  CAF_CHECK(no_port.what == command_line::action::fail);
  CAF_CHECK(contains(no_port.text, "--seeds"));
  CAF_CHECK(contains(no_port.text, "needs --cluster-port"));
  auto bad_seed = parse({"--cluster-port", "4711", "--seeds", "10.0.0.2"});
  CAF_CHECK(bad_seed.what == command_line::action::fail);
  CAF_CHECK(contains(bad_seed.text, "'10.0.0.2' is not host:port"));
  auto twice = parse({"--cluster-port", "4711", "--seeds", "a:1,a:1"});
  CAF_CHECK(twice.what == command_line::action::fail);
  CAF_CHECK(contains(twice.text, "twice"));
  auto tight = parse({"--cluster-port", "4711", "--cluster-heartbeat", "500",
                      "--cluster-timeout", "900"});
  CAF_CHECK(tight.what == command_line::action::fail);
  CAF_CHECK(contains(tight.text, "--cluster-timeout"));
  CAF_CHECK(contains(tight.text, "at least 2 x --cluster-heartbeat"));
  auto same = parse({"--cluster-port", "4710", "--admin-port", "4710"});
  CAF_CHECK(same.what == command_line::action::fail);
  CAF_CHECK(contains(same.text, "equals --admin-port"));
}

CAF_TEST(help wins over a broken environment or config file) {
  temp_dir tmp;
  auto ini = tmp.write("bad.ini", "no-such-key = 1\n");
  auto c = parse({"--config", ini, "-h"}, {"FLOE_ADMIN_PORT=-1"});
  CAF_CHECK(c.what == command_line::action::help);
  CAF_CHECK(contains(c.text, "--stats-interval"));
}
