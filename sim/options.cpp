#include "sim/options.hpp"

#include <boost/program_options.hpp>

#include "common/config_dir.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "sparkplug/topic.hpp"

#ifndef FLOE_SIM_SOURCE_CONFIG_DIR
#define FLOE_SIM_SOURCE_CONFIG_DIR ""
#endif

namespace floe::sim {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr const char* env_prefix = "FLOE_SIM_";

// FLOE_SIM_EDGE_NODES -> "edge-nodes" when that option exists; "" ignores the variable.
std::string env_to_option(const po::options_description& desc, const std::string& var) {
  std::string prefix = env_prefix;
  if (var.compare(0, prefix.size(), prefix) != 0)
    return {};
  std::string name;
  for (char c : var.substr(prefix.size()))
    name += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "help")
    return {};
  return desc.find_nothrow(name, false) != nullptr ? name : std::string{};
}

struct checker {
  std::string error;

  template <class T>
  void range(const char* option, T v, T lo, T hi) {
    if (!error.empty())
      return;
    if (!(v >= lo && v <= hi)) {
      std::ostringstream msg;
      msg << "--" << option << " must be within " << lo << ".." << hi << ", got " << v;
      error = msg.str();
    }
  }

  void finite(const char* option, double v) {
    if (error.empty() && !std::isfinite(v))
      error = std::string("--") + option + " must be a finite number";
  }

  void id(const char* option, const std::string& value, const std::string& probe) {
    if (!error.empty())
      return;
    if (auto ok = sparkplug::validate_id(probe); !ok)
      error = std::string("--") + option + " '" + value + "' is not usable in a Sparkplug id: "
              + ok.error().detail;
  }
};

size_t as_count(int64_t v) {
  return v < 0 ? 0 : static_cast<size_t>(v);
}

} // namespace

command_line parse_command_line(int argc, const char* const argv[]) {
  namespace d = defaults::sim;
  command_line out;
  sim_options& o = out.options;

  int64_t edge_nodes = 0;
  int64_t devices = 0;
  int64_t metrics = 0;
  int64_t in_flight = 0;
  int64_t skip_seq = 0;
  int64_t historical = 0;
  int64_t null_every = 0;
  std::string seed_text;
  bool no_progress = false;

  po::options_description general("floe-sim: Sparkplug B 3.0 edge-node simulator\n\n"
                                  "Usage: floe-sim [options]\n"
                                  "Every option may also come from the environment as "
                                  "FLOE_SIM_<OPTION> (e.g. FLOE_SIM_EDGE_NODES=100); the "
                                  "command line wins.\n\nOptions");
  // clang-format off
  general.add_options()
    ("help,h", "print this help and exit")
    ("broker", po::value(&o.broker_uri)->default_value(std::string(d::broker_uri)),
     "MQTT broker URI (tcp://host:port)")
    ("group", po::value(&o.group_id)->default_value(std::string(d::group_id)),
     "Sparkplug group id of all edge nodes")
    ("edge-prefix", po::value(&o.edge_prefix)->default_value(std::string(d::edge_prefix)),
     "edge node ids are <prefix><number>, zero-padded")
    ("edge-nodes", po::value(&edge_nodes)->default_value(static_cast<int64_t>(d::edge_nodes)),
     "simulated edge nodes (count), one MQTT connection each")
    ("devices-per-node",
     po::value(&devices)->default_value(static_cast<int64_t>(d::devices_per_node)),
     "devices per edge node (count); the profile's device kinds are spread over them")
    ("rate", po::value(&o.rate_per_s)->default_value(d::rate_per_s),
     "DDATA messages per device per second (messages/s, fractional allowed; 0 = births only)")
    ("duration", po::value(&o.duration_s)->default_value(d::duration_s),
     "run time (s); 0 = until SIGINT/SIGTERM. The end publishes NDEATH and disconnects")
    ("profile", po::value(&o.profile)->default_value(std::string(d::profile)),
     "profile name (<config dir>/profiles/<name>.json) or path to a profile JSON file")
    ("config-dir", po::value(&o.config_dir),
     "config directory holding profiles/ (default: the source tree's config/, else "
     "<executable dir>/../config)")
    ("metrics", po::value(&metrics),
     "metrics per device for synthetic profiles (count; default: the profile's count)")
    ("seed", po::value(&seed_text)->default_value(std::to_string(d::seed)),
     "seed of all random signal state (unsigned integer)")
    ("primary-host", po::value(&o.primary_host),
     "Sparkplug host id to wait for: births only while spBv1.0/STATE/<id> is online "
     "(default: none, birth at once)")
    ("progress", po::value(&o.progress)->default_value(true)->implicit_value(true),
     "progress display on stderr: one line refreshed every second on a terminal, a plain line "
     "every 5 s otherwise (true/false)")
    ("no-progress", po::value(&no_progress)->default_value(false)->implicit_value(true),
     "same as --progress=false")
    ("record", po::value(&o.record_path),
     "write one JSON line per published message to FILE (default: none)")
    ("stats-json", po::value(&o.stats_json_path),
     "write the final totals as JSON to FILE (default: none)")
    ("keep-alive", po::value(&o.keep_alive_s)->default_value(d::keep_alive_s),
     "MQTT keep-alive of each edge node (s)")
    ("max-in-flight",
     po::value(&in_flight)->default_value(static_cast<int64_t>(d::max_in_flight_per_node)),
     "DATA messages queued in the MQTT client per edge node before further DATA is dropped "
     "and counted (messages)");
  std::string historical_help = "every N-th DDATA of an edge node also carries is_historical "
                                "points, " + std::to_string(d::historical_age_ms / 1000)
                                + " s old (count)";
  std::string device_offline_help =
    "every S seconds a random device publishes DDEATH and its DBIRTH "
    + std::to_string(static_cast<int>(d::device_offline_s)) + " s later (s)";
  po::options_description faults("Faults for tests (0 = off)");
  faults.add_options()
    ("fault-skip-seq-every", po::value(&skip_seq)->default_value(0),
     "leave out one seq number after every N DATA messages of an edge node (count)")
    ("fault-data-before-birth",
     po::value(&o.fault_data_before_birth)->default_value(false)->implicit_value(true),
     "the first edge node sends one DDATA before its first births")
    ("fault-drop-every", po::value(&o.fault_drop_every_s)->default_value(0.0),
     "every S seconds a random edge node loses its TCP connection without DISCONNECT (the "
     "broker publishes its Will) and reconnects with a new bdSeq (s; tcp:// brokers only)")
    ("fault-historical-every", po::value(&historical)->default_value(0),
     historical_help.c_str())
    ("fault-null-every", po::value(&null_every)->default_value(0),
     "every N-th DDATA of an edge node carries one metric as is_null (count)")
    ("fault-device-offline-every",
     po::value(&o.fault_device_offline_every_s)->default_value(0.0),
     device_offline_help.c_str());
  // clang-format on
  po::options_description all;
  all.add(general).add(faults);

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    po::store(po::parse_environment(
                all, [&all](const std::string& var) { return env_to_option(all, var); }),
              vm);
    if (vm.count("help") != 0) {
      std::ostringstream help;
      help << all;
      out.what = command_line::action::help;
      out.text = help.str();
      return out;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    out.text = e.what();
    return out;
  }

  checker c;
  c.range<int64_t>("edge-nodes", edge_nodes, 1, static_cast<int64_t>(d::max_edge_nodes));
  c.range<int64_t>("devices-per-node", devices, 0, static_cast<int64_t>(d::max_devices_per_node));
  c.finite("rate", o.rate_per_s);
  c.range("rate", o.rate_per_s, 0.0, d::max_rate_per_s);
  c.finite("duration", o.duration_s);
  c.range("duration", o.duration_s, 0.0, 1.0e9);
  if (vm.count("metrics") != 0) {
    c.range<int64_t>("metrics", metrics, 1, static_cast<int64_t>(d::max_metrics));
    o.metrics = as_count(metrics);
  }
  c.range("keep-alive", o.keep_alive_s, 1, 65535);
  c.range<int64_t>("max-in-flight", in_flight, 1, 10'000'000);
  c.range<int64_t>("fault-skip-seq-every", skip_seq, 0, 1'000'000'000);
  c.range<int64_t>("fault-historical-every", historical, 0, 1'000'000'000);
  c.range<int64_t>("fault-null-every", null_every, 0, 1'000'000'000);
  c.finite("fault-drop-every", o.fault_drop_every_s);
  c.range("fault-drop-every", o.fault_drop_every_s, 0.0, 1.0e9);
  c.finite("fault-device-offline-every", o.fault_device_offline_every_s);
  c.range("fault-device-offline-every", o.fault_device_offline_every_s, 0.0, 1.0e9);
  if (c.error.empty() && o.fault_drop_every_s > 0 && o.fault_drop_every_s < 0.1)
    c.error = "--fault-drop-every must be 0 (off) or at least 0.1 s";
  if (c.error.empty() && o.fault_device_offline_every_s > 0 && o.fault_device_offline_every_s < 0.1)
    c.error = "--fault-device-offline-every must be 0 (off) or at least 0.1 s";
  c.id("group", o.group_id, o.group_id);
  c.id("edge-prefix", o.edge_prefix, o.edge_prefix + "1");
  if (!o.primary_host.empty())
    c.id("primary-host", o.primary_host, o.primary_host);
  if (c.error.empty() && o.broker_uri.find("://") == std::string::npos)
    c.error = "--broker '" + o.broker_uri + "' needs a scheme, e.g. tcp://127.0.0.1:1883";
  if (c.error.empty() && o.profile.empty())
    c.error = "--profile must not be empty";
  if (c.error.empty()) {
    bool digits = !seed_text.empty()
                  && seed_text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    unsigned long long seed = digits ? std::strtoull(seed_text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE)
      c.error = "--seed must be an unsigned 64-bit integer, got '" + seed_text + "'";
    o.seed = seed;
  }
  if (!c.error.empty()) {
    out.text = c.error;
    return out;
  }
  o.edge_nodes = as_count(edge_nodes);
  o.devices_per_node = as_count(devices);
  o.max_in_flight = as_count(in_flight);
  o.fault_skip_seq_every = as_count(skip_seq);
  o.fault_historical_every = as_count(historical);
  o.fault_null_every = as_count(null_every);
  if (no_progress)
    o.progress = false;
  out.what = command_line::action::run;
  return out;
}

std::string default_config_dir() {
  return find_config_dir(FLOE_SIM_SOURCE_CONFIG_DIR);
}

result<std::string, std::string> resolve_profile_path(const sim_options& o) {
  std::error_code ec;
  const std::string& p = o.profile;
  bool is_path = p.find('/') != std::string::npos
                 || (p.size() > 5 && p.compare(p.size() - 5, 5, ".json") == 0);
  std::string path;
  if (is_path) {
    path = p;
  } else {
    std::string dir = o.config_dir.empty() ? default_config_dir() : o.config_dir;
    path = (fs::path(dir) / "profiles" / (p + ".json")).string();
  }
  if (!fs::is_regular_file(path, ec))
    return make_unexpected("profile '" + p + "' not found: no file " + path);
  return path;
}

} // namespace floe::sim
