#include "node/node_options.hpp"

#include <boost/program_options.hpp>

#include "common/config_dir.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

#include "actors/cluster/membership.hpp"
#include "sparkplug/topic.hpp"

#ifndef FLOE_NODE_SOURCE_CONFIG_DIR
#define FLOE_NODE_SOURCE_CONFIG_DIR ""
#endif

namespace floe::node {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

namespace d = defaults;

constexpr std::string_view env_prefix = "FLOE_";

// ---- accepted ranges (inclusive); the help text prints them, the checks enforce them ----

struct bounds {
  int64_t lo;
  int64_t hi;
};

constexpr int64_t ms_per_s = 1'000;
constexpr int64_t ms_per_day = 24 * 3'600 * ms_per_s;
constexpr int64_t gib = int64_t{1} << 30;

constexpr bounds port_range{0, 65'535};
constexpr bounds keep_alive_range{1, 3'600};                 // s
constexpr bounds reconnect_range{1, 3'600'000};              // ms
constexpr bounds reorder_timeout_range{0, 600'000};          // ms
constexpr bounds reorder_buffer_range{0, 127};               // messages (half the seq space)
constexpr bounds rebirth_throttle_range{0, 3'600'000};       // ms
constexpr bounds write_buffer_range{1, 64 * gib};            // bytes
constexpr bounds memtable_budget_range{0, 1024 * gib};       // bytes (0 = no budget)
constexpr bounds hinted_series_range{0, 16'777'216};           // series (0 = no hints)
constexpr bounds ingest_backlog_range{0, 1024 * gib};        // bytes (0 = no bound)
constexpr bounds block_cache_range{1, 1024 * gib};           // bytes
constexpr bounds batch_range{1, 10'000'000};                 // points
constexpr bounds retention_range{0, 100 * 366 * 24};         // h (0 = forever)
constexpr bounds retention_interval_range{1, 7 * 24 * 3'600}; // s
constexpr bounds window_range{1, 366 * ms_per_day};          // ms
constexpr bounds lateness_range{0, 366 * ms_per_day};        // ms
constexpr bounds aggregator_range{1, 64};                    // count
constexpr bounds stats_interval_range{0, 86'400};            // s (0 = off)
constexpr bounds worker_threads_range{0, 256};               // threads (0 = cores)
constexpr bounds cluster_size_range{0, 1'000};               // members (0 = seeds + self)
constexpr bounds heartbeat_range{10, 60'000};                // ms
constexpr bounds cluster_timeout_range{20, 600'000};         // ms
constexpr bounds connect_timeout_range{10, 600'000};         // ms

std::string range_text(bounds b) {
  return std::to_string(b.lo) + ".." + std::to_string(b.hi);
}

// ---- durations and sizes as text ----

struct time_unit {
  const char* suffix;
  int64_t ms;
};

// Largest first: format_width picks the largest unit that divides the width.
constexpr time_unit time_units[] = {
  {"d", ms_per_day}, {"h", 3'600 * ms_per_s}, {"m", 60 * ms_per_s}, {"s", ms_per_s}, {"ms", 1}};

std::string format_width(int64_t ms) {
  for (const auto& u : time_units)
    if (ms % u.ms == 0)
      return std::to_string(ms / u.ms) + u.suffix;
  return std::to_string(ms) + "ms";
}

std::string format_widths(const std::vector<int64_t>& widths) {
  std::string out;
  for (auto w : widths)
    out += (out.empty() ? "" : ",") + format_width(w);
  return out;
}

// "67108864 = 64 MiB"
std::string format_bytes(uint64_t n) {
  static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  std::string out = std::to_string(n);
  const char* unit = nullptr;
  uint64_t scaled = n;
  for (const char* u : units) {
    if (scaled == 0 || scaled % 1024 != 0)
      break;
    scaled /= 1024;
    unit = u;
  }
  if (unit != nullptr)
    out += " = " + std::to_string(scaled) + " " + unit;
  return out;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    auto comma = s.find(',');
    out.push_back(trim(s.substr(0, comma)));
    if (comma == std::string_view::npos)
      return out;
    s.remove_prefix(comma + 1);
  }
}

// A whole decimal number (optionally negative), nothing else.
std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

// ---- where a value came from ----

struct setting {
  enum class kind : uint8_t { command_line, environment, config_file };
  std::string value;
  kind from = kind::command_line;
  std::string place; // the variable name or the config file path

  std::string where() const {
    switch (from) {
      case kind::command_line:
        return "command line";
      case kind::environment:
        return "environment " + place;
      case kind::config_file:
        return "config file " + place;
    }
    return {};
  }
};

// Option name -> the value that wins. Sources are added highest precedence first.
using settings = std::map<std::string, setting>;

// ---- the options ----

struct option_set {
  po::options_description all;  // command line and --help
  po::options_description file; // keys accepted in a config file
  option_set();
};

void add(po::options_description& section, const char* name, const char* arg,
         const std::string& text) {
  section.add_options()(name, po::value<std::string>()->value_name(arg), text.c_str());
}

option_set::option_set() {
  const std::vector<int64_t> widths(std::begin(d::windows::widths_ms),
                                    std::end(d::windows::widths_ms));
  auto num = [](auto v) { return std::to_string(v); };

  po::options_description general("General");
  general.add_options()("help,h", "print this help and exit");
  add(general, "config", "FILE",
      "config file to read (path; default <config dir>/" + std::string(d::node::config_file)
        + " when it exists; \"\" = none). A file given here or in FLOE_CONFIG must exist");

  po::options_description mqtt("MQTT / Sparkplug host");
  add(mqtt, "broker", "URI",
      "MQTT broker URI: tcp://, ssl://, mqtt:// or mqtts:// then host:port (default "
        + std::string(d::mqtt::broker_uri) + ")");
  add(mqtt, "host-id", "ID",
      "Sparkplug host id: the node publishes spBv1.0/STATE/<id> (no '+', '/', '#'; default "
        + std::string(d::mqtt::host_id) + ")");
  add(mqtt, "client-id", "ID", "MQTT client id (default floe-<host id>)");
  add(mqtt, "mqtt-username", "NAME", "MQTT user name (default none)");
  add(mqtt, "mqtt-password", "TEXT",
      "MQTT password (default none); prefer FLOE_MQTT_PASSWORD or the config file to the "
      "command line, where other users can see it");
  add(mqtt, "mqtt-tls-ca", "FILE",
      "CA bundle that verifies the broker, for ssl:// and mqtts:// (PEM path; default none)");
  add(mqtt, "mqtt-tls-cert", "FILE", "client certificate (PEM path; default none)");
  add(mqtt, "mqtt-tls-key", "FILE", "private key of the client certificate (PEM path; default none)");
  add(mqtt, "mqtt-keep-alive", "S",
      "MQTT keep-alive (s, " + range_text(keep_alive_range) + "; default "
        + num(d::mqtt::keep_alive_s) + ")");
  add(mqtt, "reconnect-min", "MS",
      "first delay between reconnect attempts (ms, " + range_text(reconnect_range)
        + ", at most --reconnect-max; default " + num(d::mqtt::reconnect_min_ms) + ")");
  add(mqtt, "reconnect-max", "MS",
      "largest delay between reconnect attempts (ms, " + range_text(reconnect_range)
        + "; default " + num(d::mqtt::reconnect_max_ms) + ")");
  add(mqtt, "subscribe-qos", "0|1",
      "QoS of the host's subscriptions; 1 keeps NDEATH Wills reliable (0|1; default "
        + num(d::mqtt::subscribe_qos) + ")");
  add(mqtt, "groups", "G1,G2",
      "Sparkplug groups to host, comma-separated (group ids; default none = every group, "
      "spBv1.0/#)");

  po::options_description host("Host rules");
  add(host, "reorder-timeout", "MS",
      "reorder timeout: how long a seq gap may stay open before a rebirth is requested (ms, "
        + range_text(reorder_timeout_range) + "; default " + num(d::host::reorder_timeout_ms)
        + ")");
  add(host, "reorder-buffer", "N",
      "most out-of-order messages held per edge node while a seq gap is open; a full buffer "
      "gives the gap up at once, 0 = no reordering (messages, "
        + range_text(reorder_buffer_range) + "; default "
        + num(d::host::reorder_buffer_max_messages) + ")");
  add(host, "rebirth-throttle", "MS",
      "shortest interval between two rebirth requests to the same edge node (ms, "
        + range_text(rebirth_throttle_range) + "; default " + num(d::host::rebirth_throttle_ms)
        + ")");
  add(host, "ingest-backlog", "BYTES",
      "memory the messages between MQTT and the store may hold; when full, reading from the "
      "broker pauses until the node has worked some off (bytes, "
        + range_text(ingest_backlog_range) + ", 0 = no bound; default "
        + format_bytes(d::host::ingest_backlog_bytes) + ")");

  po::options_description storage("Storage");
  add(storage, "data-dir", "DIR",
      "directory of the RocksDB database, created if missing (path; default "
        + std::string(d::store::data_dir) + ")");
  add(storage, "store-durability", "MODE",
      "what a commit waits for: sync = WAL + fsync per batch, wal = WAL without fsync "
      "(survives a process crash, not a power loss), none = no WAL (sync|wal|none; default "
        + std::string(d::store::durability) + ")");
  add(storage, "store-write-buffer", "BYTES",
      "memtable size per column family before it is flushed (bytes, "
        + range_text(write_buffer_range) + "; default "
        + format_bytes(d::store::write_buffer_bytes) + ")");
  add(storage, "store-memtable-budget", "BYTES",
      "memory all memtables may hold together; past 7/8 of it the largest is flushed (bytes, "
        + range_text(memtable_budget_range) + ", 0 = only --store-write-buffer per family; "
        "default " + format_bytes(d::store::memtable_budget_bytes) + ")");
  add(storage, "store-hinted-series", "N",
      "series (the first registered) whose points get insert hints in the points memtable: "
      "about 2.5x the write rate for series that report often, ~250 bytes per series and "
      "memtable (series, " + range_text(hinted_series_range) + ", 0 = no hints; default "
        + num(d::store::hinted_series) + ")");
  add(storage, "store-block-cache", "BYTES",
      "LRU block cache shared by all column families (bytes, " + range_text(block_cache_range)
        + "; default " + format_bytes(d::store::block_cache_bytes) + ")");
  add(storage, "store-batch-max", "N",
      "most points in one write batch; a full batch is committed at once (points, "
        + range_text(batch_range) + "; default " + num(d::node::store_batch_max_points) + ")");
  add(storage, "retention-points", "H",
      "points older than this are deleted (h, " + range_text(retention_range)
        + ", 0 = keep forever; default " + num(d::node::points_retention_h) + ")");
  add(storage, "retention-windows", "H",
      "closed windows older than this are deleted (h, " + range_text(retention_range)
        + ", 0 = keep forever; default " + num(d::node::windows_retention_h) + ")");
  add(storage, "retention-interval", "S",
      "how often retention runs (s, " + range_text(retention_interval_range) + "; default "
        + num(d::node::retention_interval_s) + ")");

  po::options_description windows("Windows");
  add(windows, "windows", "LIST",
      "tumbling window widths, comma-separated, epoch-aligned: whole numbers with unit ms, s, "
      "m, h or d, plain numbers are ms (each > 0 and at most 366d, no duplicates; default "
        + format_widths(widths) + ")");
  add(windows, "allowed-lateness", "MS",
      "how far a point's event time may lag the newest of its series and still count as on "
      "time (ms, " + range_text(lateness_range) + "; default "
        + num(d::windows::allowed_lateness_ms) + ")");
  add(windows, "aggregators", "N",
      "window aggregator actors; series are sharded over them (count, "
        + range_text(aggregator_range) + "; default " + num(d::windows::aggregator_count) + ")");

  po::options_description alarms("Alarms");
  add(alarms, "alarm-rules", "FILE",
      "JSON alarm rule file, see config/alarms/README.md (path; relative in a config file = "
      "relative to its directory; default none = no alarms, \"\" = none)");

  po::options_description cluster("Cluster (docs/cluster.md)");
  add(cluster, "cluster-port", "PORT",
      "CAF middleman port of this member's cluster actor (port, " + range_text(port_range)
        + "; default " + num(d::cluster::port)
        + " = no cluster: this process owns every edge node)");
  add(cluster, "cluster-bind", "ADDR",
      "address the cluster port binds to (address; default " + std::string(d::cluster::bind)
        + "; 0.0.0.0 = every interface, then --cluster-advertise is required)");
  add(cluster, "cluster-advertise", "HOST:PORT",
      "this member's id: its cluster port as the other members' --seeds spell it (host:port; "
      "default <cluster-bind>:<cluster-port>). Unique per member");
  add(cluster, "seeds", "LIST",
      "members to connect to, comma-separated host:port (may include this member; default none). "
      "Give every member the same list");
  add(cluster, "cluster-size", "N",
      "configured cluster size for the majority rule (members, " + range_text(cluster_size_range)
        + "; default " + num(d::cluster::size) + " = the distinct --seeds plus this member)");
  add(cluster, "cluster-heartbeat", "MS",
      "heartbeat period to every member, also CAF's middleman heartbeat (ms, "
        + range_text(heartbeat_range) + "; default " + num(d::cluster::heartbeat_interval_ms)
        + ")");
  add(cluster, "cluster-timeout", "MS",
      "a member silent this long is down; also CAF's connection timeout (ms, "
        + range_text(cluster_timeout_range) + ", at least 2 x --cluster-heartbeat; default "
        + num(d::cluster::heartbeat_timeout_ms) + ")");
  add(cluster, "cluster-connect-timeout", "MS",
      "longest one connect to a member may take (ms, " + range_text(connect_timeout_range)
        + "; default " + num(d::cluster::connect_timeout_ms) + ")");
  add(cluster, "cluster-reconnect", "MS",
      "delay between connects to a member that is not linked (ms, "
        + range_text(reconnect_range) + "; default " + num(d::cluster::reconnect_interval_ms)
        + ")");

  add(cluster, "cluster-tls-cert", "FILE",
      "this member's certificate chain for TLS on the cluster links (PEM path; default none = "
      "plain TCP). Together with the key and CA below: mutual TLS, a process without a "
      "certificate from that CA cannot join");
  add(cluster, "cluster-tls-key", "FILE", "private key of --cluster-tls-cert (PEM path; default none)");
  add(cluster, "cluster-tls-ca", "FILE",
      "CA that signed the members' certificates (PEM path; default none)");

  po::options_description admin("Admin / operations");
  add(admin, "admin-port", "PORT",
      "CAF middleman port of the admin shell (port, " + range_text(port_range)
        + ", 0 = off; default " + num(d::node::admin_port) + ")");
  add(admin, "admin-bind", "ADDR",
      "address the admin port binds to (address; default " + std::string(d::node::admin_bind)
        + ")");
  add(admin, "worker-threads", "N",
      "CAF scheduler worker threads (threads, " + range_text(worker_threads_range)
        + ", 0 = one per hardware thread; default " + num(d::node::worker_threads) + ")");
  add(admin, "stats-interval", "S",
      "period of the statistics line on stderr (s, " + range_text(stats_interval_range)
        + ", 0 = off; default " + num(d::node::stats_interval_s) + ")");

  all.add(general).add(mqtt).add(host).add(storage).add(windows).add(alarms).add(cluster).add(
    admin);
  file.add(mqtt).add(host).add(storage).add(windows).add(alarms).add(cluster).add(admin);
}

std::string help_header(const std::string& default_file) {
  std::error_code ec;
  bool exists = fs::is_regular_file(default_file, ec);
  return "floe-node: Sparkplug B 3.0 host (storage, windows, alarms)\n"
         "\n"
         "Usage: floe-node [options]\n"
         "\n"
         "Precedence: command line > environment FLOE_<OPTION> > config file > defaults\n"
         "  1. command line (--data-dir /var/lib/floe; --name= sets an empty value)\n"
         "  2. environment FLOE_<OPTION>, upper case with '_' for '-'\n"
         "     (FLOE_DATA_DIR=/var/lib/floe for --data-dir; other FLOE_ variables are ignored)\n"
         "  3. config file: --config FILE or FLOE_CONFIG (must exist; \"\" = none), else\n"
         "     " + default_file + (exists ? "" : " (not present)") + "\n"
         "  4. built-in defaults, shown with each option\n"
         "Config file: one \"key = value\" per line, keys are the options below without\n"
         "\"--\" (except help and config), '#' starts a comment, unknown keys are errors.\n"
         "Relative paths in it (alarm-rules, mqtt-tls-*) are relative to its directory;\n"
         "given on the command line or in the environment, to the working directory.\n";
}

// ---- reading the sources ----

// FLOE_DATA_DIR -> "data-dir" when that option exists; "" ignores the variable.
std::string env_to_option(const po::options_description& desc, std::string_view var) {
  if (var.substr(0, env_prefix.size()) != env_prefix)
    return {};
  std::string name;
  for (char c : var.substr(env_prefix.size())) {
    if (c == '_')
      name += '-';
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else
      return {}; // only FLOE_UPPER_CASE names
  }
  if (name.empty() || name == "help")
    return {};
  return desc.find_nothrow(name, false) != nullptr ? name : std::string{};
}

// argv without argv[0]; "--name=" (which Boost rejects) becomes "--name" "" (an empty value).
std::vector<std::string> split_empty_values(int argc, const char* const argv[]) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i] != nullptr ? argv[i] : "";
    if (a.size() > 3 && a.compare(0, 2, "--") == 0 && a.back() == '='
        && a.find('=') == a.size() - 1) {
      a.pop_back();
      args.push_back(std::move(a));
      args.emplace_back();
    } else {
      args.push_back(std::move(a));
    }
  }
  return args;
}

// The first error wins; later calls do nothing.
class checker {
public:
  explicit checker(const settings& s) : given_(s) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const setting* find(const char* name) const {
    auto i = given_.find(name);
    return i == given_.end() ? nullptr : &i->second;
  }

  void fail(const char* name, const std::string& what) {
    if (!ok())
      return;
    error_ = std::string("--") + name + " " + what;
    if (const auto* s = find(name))
      error_ += " (from " + s->where() + ")";
  }

  void text(const char* name, std::string& out) {
    if (const auto* s = find(name))
      out = s->value;
  }

  void non_empty(const char* name, std::string& out, const char* what) {
    text(name, out);
    if (out.empty())
      fail(name, std::string("must not be empty: it is the ") + what);
  }

  template <class T>
  void integer(const char* name, T& out, bounds b) {
    const auto* s = find(name);
    if (s == nullptr || !ok())
      return;
    auto v = parse_int(trim(s->value));
    if (!v || *v < b.lo || *v > b.hi) {
      fail(name, "must be a whole number within " + range_text(b) + ", got '" + s->value + "'");
      return;
    }
    out = static_cast<T>(*v);
  }

  void sparkplug_id(const char* name, const std::string& id, const char* what) {
    if (!ok())
      return;
    if (auto r = sparkplug::validate_id(id); !r)
      fail(name, "'" + id + "' is not a valid Sparkplug " + what + " (" + r.error().detail
                   + "): it must be non-empty UTF-8 without '+', '/', '#' or NUL");
  }

  // A path option that names an existing file: relative paths from a config file are
  // resolved against the file's directory. "" stays "" (not set).
  void existing_file(const char* name, std::string& out, const fs::path& config_dir) {
    const auto* s = find(name);
    if (s == nullptr || !ok() || s->value.empty())
      return;
    fs::path p = s->value;
    if (s->from == setting::kind::config_file && p.is_relative())
      p = (config_dir / p).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      std::string what = fs::exists(p, ec) ? "is not a regular file" : "does not exist";
      fail(name, "'" + s->value + "': " + p.string() + " " + what
                   + " (the value must be the path of an existing file)");
      return;
    }
    out = p.string();
  }

private:
  const settings& given_;
  std::string error_;
};

void check_broker(checker& c, const std::string& uri) {
  static constexpr std::string_view schemes[] = {"tcp://", "ssl://", "mqtt://", "mqtts://"};
  for (auto scheme : schemes) {
    if (uri.compare(0, scheme.size(), scheme) == 0) {
      if (uri.size() == scheme.size())
        c.fail("broker", "'" + uri + "' needs host:port after " + std::string(scheme));
      return;
    }
  }
  c.fail("broker", "'" + uri + "' must start with tcp://, ssl://, mqtt:// or mqtts:// "
                   "(e.g. tcp://127.0.0.1:1883)");
}

bool is_wildcard_address(const std::string& a) {
  return a == "0.0.0.0" || a == "::" || a == "[::]";
}

void read_cluster(checker& c, node_options& o, const fs::path& config_dir) {
  c.integer("cluster-port", o.cluster_port, port_range);
  c.non_empty("cluster-bind", o.cluster_bind, "cluster bind address");
  c.text("cluster-advertise", o.cluster_advertise);
  c.integer("cluster-size", o.cluster_size, cluster_size_range);
  c.integer("cluster-heartbeat", o.cluster_heartbeat_ms, heartbeat_range);
  c.integer("cluster-timeout", o.cluster_timeout_ms, cluster_timeout_range);
  c.integer("cluster-connect-timeout", o.cluster_connect_timeout_ms, connect_timeout_range);
  c.integer("cluster-reconnect", o.cluster_reconnect_ms, reconnect_range);
  c.existing_file("cluster-tls-cert", o.cluster_tls_cert, config_dir);
  c.existing_file("cluster-tls-key", o.cluster_tls_key, config_dir);
  c.existing_file("cluster-tls-ca", o.cluster_tls_ca, config_dir);
  if (c.ok()) {
    int given = !o.cluster_tls_cert.empty() + !o.cluster_tls_key.empty() + !o.cluster_tls_ca.empty();
    if (given != 0 && given != 3) {
      const char* missing = o.cluster_tls_cert.empty() ? "cluster-tls-cert"
                            : o.cluster_tls_key.empty() ? "cluster-tls-key"
                                                         : "cluster-tls-ca";
      c.fail(missing, "is missing: cluster TLS needs --cluster-tls-cert, --cluster-tls-key and "
                      "--cluster-tls-ca together");
    }
  }
  if (const auto* s = c.find("seeds"); s != nullptr && c.ok() && !trim(s->value).empty()) {
    o.seeds.clear();
    std::set<std::string_view> seen;
    for (auto item : split_list(s->value)) {
      std::string seed(item);
      if (!cluster::parse_host_port(seed)) {
        c.fail("seeds", "entry '" + seed + "' is not host:port (port 1..65535; IPv6 as [addr]:port)");
        return;
      }
      if (!seen.insert(item).second) {
        c.fail("seeds", "lists '" + seed + "' twice");
        return;
      }
      o.seeds.push_back(std::move(seed));
    }
  }
  if (!c.ok())
    return;
  if (o.cluster_timeout_ms < 2 * o.cluster_heartbeat_ms) {
    c.fail(c.find("cluster-timeout") != nullptr ? "cluster-timeout" : "cluster-heartbeat",
           "is inconsistent: --cluster-timeout (" + std::to_string(o.cluster_timeout_ms)
             + " ms) must be at least 2 x --cluster-heartbeat ("
             + std::to_string(o.cluster_heartbeat_ms) + " ms), or one late heartbeat downs a member");
    return;
  }
  if (o.cluster_port == 0) {
    if (!o.seeds.empty())
      c.fail("seeds", "needs --cluster-port: without a cluster port this process is no cluster "
                      "member");
    return;
  }
  if (o.cluster_advertise.empty()) {
    if (is_wildcard_address(o.cluster_bind)) {
      c.fail("cluster-bind", "is the wildcard address " + o.cluster_bind
                               + ": give --cluster-advertise host:port, the address the other "
                                 "members reach this one at");
      return;
    }
    o.cluster_advertise = o.cluster_bind + ":" + std::to_string(o.cluster_port);
  } else if (!cluster::parse_host_port(o.cluster_advertise)) {
    c.fail("cluster-advertise", "'" + o.cluster_advertise
                                  + "' is not host:port (port 1..65535; IPv6 as [addr]:port)");
    return;
  }
  if (o.admin_port != 0 && o.admin_port == o.cluster_port)
    c.fail("cluster-port", "equals --admin-port (" + std::to_string(o.admin_port)
                             + "); each needs its own port");
}

void read_groups(checker& c, std::vector<std::string>& out) {
  const auto* s = c.find("groups");
  if (s == nullptr || !c.ok())
    return;
  out.clear();
  if (trim(s->value).empty())
    return; // every group
  std::set<std::string_view> seen;
  for (auto g : split_list(s->value)) {
    std::string id(g);
    if (!seen.insert(g).second) {
      c.fail("groups", "lists group '" + id + "' twice; give each group once, comma-separated");
      return;
    }
    c.sparkplug_id("groups", id, "group id");
    out.push_back(std::move(id));
  }
}

// "10s" -> 10000. Plain numbers are ms. nullopt: not a width of the accepted form.
std::optional<int64_t> parse_width(std::string_view t, bool& too_large) {
  too_large = false;
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9')
    ++digits;
  if (digits == 0)
    return std::nullopt;
  std::string_view suffix = t.substr(digits);
  int64_t factor = suffix.empty() ? 1 : 0;
  for (const auto& u : time_units)
    if (suffix == u.suffix)
      factor = u.ms;
  if (factor == 0)
    return std::nullopt;
  auto n = parse_int(t.substr(0, digits));
  if (!n || *n > window_range.hi / factor) {
    too_large = true;
    return window_range.hi + 1;
  }
  return *n * factor;
}

void read_windows(checker& c, std::vector<int64_t>& out) {
  const auto* s = c.find("windows");
  if (s == nullptr || !c.ok())
    return;
  const std::string rule = " (allowed: a comma-separated list of distinct widths, each > 0 and "
                           "at most 366d, with unit ms, s, m, h or d, e.g. 500ms,10s,1m,1h,1d; "
                           "plain numbers are ms)";
  if (trim(s->value).empty()) {
    c.fail("windows", "needs at least one width" + rule);
    return;
  }
  std::vector<int64_t> widths;
  for (auto item : split_list(s->value)) {
    std::string text(item);
    bool too_large = false;
    auto w = parse_width(item, too_large);
    if (item.empty()) {
      c.fail("windows", "'" + s->value + "' has an empty item" + rule);
    } else if (!w) {
      c.fail("windows", "'" + s->value + "': '" + text + "' is not a width" + rule);
    } else if (*w < window_range.lo || *w > window_range.hi) {
      c.fail("windows", "'" + s->value + "': width '" + text + "' is out of range" + rule);
    } else if (std::find(widths.begin(), widths.end(), *w) != widths.end()) {
      c.fail("windows", "'" + s->value + "': duplicate width " + format_width(*w) + " ('"
                          + text + "')" + rule);
    }
    if (!c.ok())
      return;
    widths.push_back(*w);
  }
  std::sort(widths.begin(), widths.end());
  out = std::move(widths);
}

// Adds one parsed source to `given` (names already there come from a higher source and stay).
// Error text when an option appears twice within the source.
std::string merge(settings& given, const po::parsed_options& parsed, setting::kind from,
                  const std::string& place) {
  std::set<std::string> here;
  for (const auto& opt : parsed.options) {
    if (opt.string_key == "help")
      continue;
    if (!here.insert(opt.string_key).second)
      return opt.string_key + " is given twice";
    setting s;
    s.value = opt.value.empty() ? std::string{} : opt.value.front();
    s.from = from;
    s.place = place;
    given.emplace(opt.string_key, std::move(s));
  }
  return {};
}

// Reads the config file into `given`; returns an error text or "".
std::string read_config_file(settings& given, const option_set& opts, const fs::path& path) {
  std::string where = "config file " + path.string();
  std::ifstream in(path);
  if (!in)
    return where + ": cannot be read";
  po::parsed_options parsed(&opts.file);
  try {
    parsed = po::parse_config_file(in, opts.file, true);
  } catch (const po::error& e) {
    return where + ": " + e.what();
  }
  for (const auto& opt : parsed.options) {
    if (!opt.unregistered)
      continue;
    if (opt.string_key == "config" || opt.string_key == "help")
      return where + ": key '" + opt.string_key
             + "' is not allowed in a config file (command line and environment only)";
    return where + ": unknown key '" + opt.string_key + "' (floe-node --help lists the keys)";
  }
  if (auto dup = merge(given, parsed, setting::kind::config_file, path.string()); !dup.empty())
    return where + ": key " + dup;
  return {};
}

command_line parse(int argc, const char* const argv[], const std::vector<std::string>& env) {
  command_line out;
  node_options& o = out.options;
  const fs::path default_file = fs::path(default_config_dir()) / d::node::config_file;
  option_set opts;
  settings given;

  // 1. Command line.
  po::parsed_options cli(&opts.all);
  try {
    namespace style = po::command_line_style;
    cli = po::command_line_parser(split_empty_values(argc, argv))
            .options(opts.all)
            .style(style::default_style & ~style::allow_guessing)
            .run();
  } catch (const po::error& e) {
    out.text = std::string("command line: ") + e.what() + " (floe-node --help lists the options)";
    return out;
  }
  for (const auto& opt : cli.options) {
    if (opt.string_key.empty() || opt.position_key != -1) {
      out.text = "command line: unexpected argument '"
                 + (opt.value.empty() ? std::string{} : opt.value.front())
                 + "' (options are --name value; floe-node --help lists them)";
      return out;
    }
  }
  for (const auto& opt : cli.options) {
    if (opt.string_key == "help") {
      std::ostringstream help;
      help << help_header(default_file.string()) << opts.all;
      out.what = command_line::action::help;
      out.text = help.str();
      return out;
    }
  }
  if (auto dup = merge(given, cli, setting::kind::command_line, {}); !dup.empty()) {
    out.text = "command line: --" + dup;
    return out;
  }

  // 2. Environment. The first entry of a name counts, as with getenv.
  for (const auto& entry : env) {
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      continue;
    std::string var = entry.substr(0, eq);
    std::string name = env_to_option(opts.all, var);
    if (name.empty())
      continue;
    setting s;
    s.value = entry.substr(eq + 1);
    s.from = setting::kind::environment;
    s.place = var;
    given.emplace(name, std::move(s));
  }

  // 3. Config file.
  fs::path config_path;
  std::error_code ec;
  if (auto i = given.find("config"); i != given.end()) {
    const setting& s = i->second;
    if (!s.value.empty()) {
      config_path = s.value;
      if (!fs::is_regular_file(config_path, ec)) {
        out.text = "--config '" + s.value + "': "
                   + (fs::exists(config_path, ec) ? "is not a regular file" : "no such file")
                   + " (from " + s.where() + "; \"\" reads no config file)";
        return out;
      }
    }
  } else if (fs::is_regular_file(default_file, ec)) {
    config_path = default_file;
  }
  if (!config_path.empty()) {
    config_path = fs::absolute(config_path).lexically_normal();
    if (auto err = read_config_file(given, opts, config_path); !err.empty()) {
      out.text = err;
      return out;
    }
    o.config_file = config_path.string();
  }
  const fs::path config_dir = config_path.parent_path();

  // 4. Convert and check, in help order. Defaults are already in `o`.
  checker c(given);
  c.text("broker", o.broker_uri);
  check_broker(c, o.broker_uri);
  c.text("host-id", o.host_id);
  c.sparkplug_id("host-id", o.host_id, "host id");
  c.text("client-id", o.client_id);
  c.text("mqtt-username", o.mqtt_username);
  c.text("mqtt-password", o.mqtt_password);
  c.existing_file("mqtt-tls-ca", o.mqtt_tls_ca, config_dir);
  c.existing_file("mqtt-tls-cert", o.mqtt_tls_cert, config_dir);
  c.existing_file("mqtt-tls-key", o.mqtt_tls_key, config_dir);
  c.integer("mqtt-keep-alive", o.keep_alive_s, keep_alive_range);
  c.integer("reconnect-min", o.reconnect_min_ms, reconnect_range);
  c.integer("reconnect-max", o.reconnect_max_ms, reconnect_range);
  if (c.ok() && o.reconnect_min_ms > o.reconnect_max_ms) {
    auto where = [&c](const char* name) {
      const auto* s = c.find(name);
      return s == nullptr ? std::string("default") : s->where();
    };
    // Name the option that was set; when both were, the minimum.
    const char* culprit = c.find("reconnect-min") != nullptr ? "reconnect-min" : "reconnect-max";
    c.fail(culprit, "is inconsistent: --reconnect-min (" + std::to_string(o.reconnect_min_ms)
                      + " ms, " + where("reconnect-min") + ") must not exceed --reconnect-max ("
                      + std::to_string(o.reconnect_max_ms) + " ms, " + where("reconnect-max")
                      + ")");
  }
  if (const auto* s = c.find("subscribe-qos"); s != nullptr && c.ok()) {
    auto q = parse_int(trim(s->value));
    if (!q || (*q != 0 && *q != 1))
      c.fail("subscribe-qos", "must be 0 or 1, got '" + s->value + "'");
    else
      o.subscribe_qos = static_cast<int>(*q);
  }
  read_groups(c, o.groups);

  c.integer("reorder-timeout", o.reorder_timeout_ms, reorder_timeout_range);
  c.integer("reorder-buffer", o.reorder_buffer, reorder_buffer_range);
  c.integer("rebirth-throttle", o.rebirth_throttle_ms, rebirth_throttle_range);
  c.integer("ingest-backlog", o.ingest_backlog_bytes, ingest_backlog_range);

  c.non_empty("data-dir", o.data_dir, "database directory");
  c.text("store-durability", o.durability);
  if (c.ok() && o.durability != "sync" && o.durability != "wal" && o.durability != "none")
    c.fail("store-durability", "must be sync, wal or none, got '" + o.durability + "'");
  c.integer("store-write-buffer", o.write_buffer_bytes, write_buffer_range);
  c.integer("store-memtable-budget", o.memtable_budget_bytes, memtable_budget_range);
  c.integer("store-hinted-series", o.hinted_series, hinted_series_range);
  c.integer("store-block-cache", o.block_cache_bytes, block_cache_range);
  c.integer("store-batch-max", o.batch_max_points, batch_range);
  c.integer("retention-points", o.points_retention_h, retention_range);
  c.integer("retention-windows", o.windows_retention_h, retention_range);
  c.integer("retention-interval", o.retention_interval_s, retention_interval_range);

  read_windows(c, o.window_widths_ms);
  c.integer("allowed-lateness", o.allowed_lateness_ms, lateness_range);
  c.integer("aggregators", o.aggregators, aggregator_range);

  c.existing_file("alarm-rules", o.alarm_rules, config_dir);

  c.integer("admin-port", o.admin_port, port_range);
  c.non_empty("admin-bind", o.admin_bind, "admin bind address");
  c.integer("stats-interval", o.stats_interval_s, stats_interval_range);
  c.integer("worker-threads", o.worker_threads, worker_threads_range);
  read_cluster(c, o, config_dir);

  if (!c.ok()) {
    out.text = c.error();
    return out;
  }
  out.what = command_line::action::run;
  return out;
}

} // namespace

command_line parse_command_line(int argc, const char* const argv[],
                                const std::vector<std::string>& env) {
  // Nothing escapes: Boost, filesystem or allocation errors all become action::fail.
  try {
    return parse(argc, argv, env);
  } catch (const std::exception& e) {
    command_line out;
    out.text = std::string("floe-node options: ") + e.what();
    return out;
  } catch (...) {
    command_line out;
    out.text = "floe-node options: unknown error";
    return out;
  }
}

std::string default_config_dir() {
  return find_config_dir(FLOE_NODE_SOURCE_CONFIG_DIR);
}

} // namespace floe::node
