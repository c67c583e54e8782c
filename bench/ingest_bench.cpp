// floe-ingest-bench: end-to-end ingest figures on one machine, measured side by side with the
// broker's own limit. Two phases, each publishing the same stream as fast as the broker takes
// it: NBIRTH per edge node, DBIRTH per device (10 Float metrics with aliases), then DDATA with
// 10 alias-only Float metrics per message, round-robin over the devices, one seq sequence per
// edge node, QoS 0. With --rate the DDATA are paced to that many messages per second (an
// offered load) instead of as fast as the broker takes them.
//   bare: a subscriber in this process that only counts messages (the broker's delivery rate)
//         and reads each DDATA's payload timestamp (the broker's delivery latency, the anchor
//         of floe's commit latency)
//   floe: a running floe-node (its admin port given with --admin) does full processing and
//         persistence; this program then polls the node's statistics until the stored point
//         count stops growing.
// Printed: the offered rate (metrics published / time from first to last DDATA publish),
// metrics/s received and stored, metrics lost (published - received, resp. stored), p50/p99
// latency from payload timestamp to receipt (bare) or to commit (floe: the node's commit
// probe, since node start), node RSS and bytes per device. Figures only; nothing asserts.
// floe's rate is stored metrics / (first DDATA publish to the node's last commit of points,
// both on the machine's wall clock: publisher and node must share one machine, or clocks within
// a millisecond); a node too old to report its last commit falls back to the first poll that
// saw the last growth (low by up to one --poll-ms interval). Also printed: the node's CPU time
// per stored metric over the DDATA phase (user + system, all threads, from its statistics),
// which the machine's load moves far less than the rates.
// Payloads are encoded per message (timestamps must be real for the latency figure); the
// codec encodes such a DDATA in about a microsecond (floe-codec-bench), far below the cost of
// one MQTT publish, so the publisher is not what is measured.
//
// Usage: floe-ingest-bench --broker tcp://127.0.0.1:1883 --mode bare|floe [--admin host:port]
//        [--edge-nodes 10] [--devices-per-node 100] [--messages 200000] [--group bench]
//        [--rate MSG_PER_S (0: unpaced)] [--poll-ms 1000]
//        [--json FILE]   (appends one JSON object with the figures of this phase)

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/program_options.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <mqtt/async_client.h>

#include "actors/query/query_messages.hpp"
#include "config/defaults.hpp"
#include "common/latency_histogram.hpp"
#include "sparkplug/payload_codec.hpp"
#include "sparkplug/topic.hpp"

namespace po = boost::program_options;
using namespace floe;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr size_t metrics_per_message = 10;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct options {
  std::string broker = "tcp://127.0.0.1:1883";
  std::string mode = "bare";
  std::string admin;
  std::string group = "bench";
  std::string json;
  size_t edge_nodes = 10;
  size_t devices = 100; // per edge node
  size_t messages = 200'000;
  double rate = 0;      // DDATA messages per second offered; 0 = as fast as the broker takes them
  int64_t poll_ms = 1000; // statistics poll interval after the last publish (mode floe)
};

std::string edge_id(size_t e) { return "e" + std::to_string(e); }
std::string device_id(size_t d) { return "d" + std::to_string(d); }

sparkplug::metric float_metric(std::string name, uint64_t alias, float v, uint64_t ts) {
  sparkplug::metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.timestamp = ts;
  m.type = sparkplug::datatype::float32;
  m.val = v;
  return m;
}

std::string encode(const sparkplug::payload& p) {
  auto bytes = sparkplug::encode_payload(p);
  if (!bytes) {
    std::fprintf(stderr, "encode failed: %s\n", sparkplug::to_string(bytes.error()).c_str());
    std::exit(1);
  }
  return std::move(*bytes);
}

// Publishes the stream; returns the number of metric values published in DATA messages.
struct publisher {
  // paho refuses publishes beyond this many unsent messages; data() waits well before.
  static constexpr int max_buffered = 20'000;
  const options& o;
  mqtt::async_client client;
  std::vector<uint8_t> seq; // per edge node
  uint64_t births_metrics = 0;
  double data_s = 0; // from the first DDATA publish to the broker's acceptance of the last (s)

  explicit publisher(const options& opts)
    : o(opts),
      client(opts.broker, "floe-ingest-bench-pub-" + std::to_string(::getpid()),
             mqtt::create_options(MQTTVERSION_3_1_1, max_buffered), nullptr),
      seq(opts.edge_nodes, 0) {
    mqtt::connect_options co;
    co.set_clean_session(true);
    co.set_keep_alive_interval(30);
    client.connect(co)->wait();
  }

  void send(const std::string& topic, const sparkplug::payload& p) {
    client.publish(topic, encode(p), 0, false);
  }

  void births() {
    auto now = static_cast<uint64_t>(wall_ms());
    for (size_t e = 0; e < o.edge_nodes; ++e) {
      sparkplug::payload nb;
      nb.timestamp = now;
      nb.seq = 0;
      sparkplug::metric bd;
      bd.name = "bdSeq";
      bd.timestamp = now;
      bd.type = sparkplug::datatype::int64;
      bd.val = int64_t{0};
      nb.metrics.push_back(bd);
      sparkplug::metric rb;
      rb.name = std::string(sparkplug::node_rebirth_metric);
      rb.timestamp = now;
      rb.type = sparkplug::datatype::boolean;
      rb.val = false;
      nb.metrics.push_back(rb);
      send(sparkplug::format_topic({sparkplug::message_type::nbirth, o.group, edge_id(e), {}, {}, false}), nb);
      births_metrics += 2;
      for (size_t d = 0; d < o.devices; ++d) {
        sparkplug::payload db;
        db.timestamp = now;
        db.seq = ++seq[e];
        for (size_t m = 0; m < metrics_per_message; ++m)
          db.metrics.push_back(float_metric("m" + std::to_string(m), 1 + d * metrics_per_message + m,
                                            0.0f, now));
        births_metrics += metrics_per_message;
        send(sparkplug::format_topic({sparkplug::message_type::dbirth, o.group, edge_id(e),
                                      device_id(d), {}, false}), db);
      }
    }
  }

  // DDATA messages round-robin over every device; waits on every 500th publish so that
  // paho's queue stays bounded. With o.rate > 0, message i is not published before
  // start + i / rate: the schedule is absolute, so a late wake-up is caught up by the next
  // messages and the offered rate holds on average (the achieved rate is data_s's to tell).
  void data() {
    std::vector<std::string> topics;
    for (size_t e = 0; e < o.edge_nodes; ++e)
      for (size_t d = 0; d < o.devices; ++d)
        topics.push_back(sparkplug::format_topic({sparkplug::message_type::ddata, o.group,
                                                  edge_id(e), device_id(d), {}, false}));
    mqtt::delivery_token_ptr last;
    auto start = clock_type::now();
    for (size_t i = 0; i < o.messages; ++i) {
      if (o.rate > 0) {
        auto due = start + std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(static_cast<double>(i) / o.rate));
        if (clock_type::now() < due)
          std::this_thread::sleep_until(due);
      }
      size_t k = i % topics.size();
      size_t e = k / o.devices, d = k % o.devices;
      auto now = static_cast<uint64_t>(wall_ms());
      sparkplug::payload p;
      p.timestamp = now;
      p.seq = ++seq[e];
      for (size_t m = 0; m < metrics_per_message; ++m) {
        sparkplug::metric x;
        x.alias = 1 + d * metrics_per_message + m;
        x.timestamp = now;
        x.datatype_on_wire = false;
        x.type = sparkplug::datatype::float32;
        x.val = static_cast<float>(i % 1000) + 0.25f * static_cast<float>(m);
        p.metrics.push_back(x);
      }
      auto tok = client.publish(topics[k], encode(p), 0, false);
      if (i % 500 == 499) {
        if (last)
          last->wait();
        last = tok;
      }
    }
    if (last)
      last->wait();
    data_s = std::chrono::duration<double>(clock_type::now() - start).count();
  }

  // Metrics per second offered to the broker (DDATA only), as achieved.
  double offered_metrics_per_s() const {
    return data_s > 0 ? static_cast<double>(o.messages * metrics_per_message) / data_s : 0;
  }

  ~publisher() {
    try {
      client.disconnect()->wait();
    } catch (...) {
    }
  }
};

void print_json(const options& o, const std::string& text) {
  if (o.json.empty())
    return;
  if (std::FILE* f = std::fopen(o.json.c_str(), "a")) {
    std::fprintf(f, "%s\n", text.c_str());
    std::fclose(f);
  }
}

// The payload timestamp (ms) of a Sparkplug payload. libprotobuf writes fields in number order,
// so the timestamp (field 1, varint) leads what floe-ingest-bench publishes and is read here
// without a full decode (which would slow the subscriber that stands for the broker's limit);
// anything else is decoded. nullopt when the payload has none.
std::optional<uint64_t> payload_timestamp_ms(const std::string& bytes) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 0x08) {
    uint64_t v = 0;
    for (size_t i = 1, shift = 0; i < bytes.size() && shift < 64; ++i, shift += 7) {
      auto b = static_cast<uint8_t>(bytes[i]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
  }
  auto p = sparkplug::decode_payload(bytes);
  if (p && p->timestamp)
    return *p->timestamp;
  return std::nullopt;
}

int run_bare(const options& o) {
  std::atomic<uint64_t> received{0};
  // Written by paho's callback thread, read here after the disconnect: under `mu` (uncontended,
  // tens of ns per message) so that the reads need no reasoning about paho's threads.
  std::mutex mu;
  uint64_t received_data = 0;
  int64_t first_data_ns = 0, last_data_ns = 0;
  latency_histogram delivery_latency; // DDATA payload timestamp to receipt (ms)
  mqtt::async_client sub(o.broker, "floe-ingest-bench-sub-" + std::to_string(::getpid()));
  sub.set_message_callback([&](mqtt::const_message_ptr msg) {
    if (msg->get_topic().find("/DDATA/") != std::string::npos) {
      auto t = clock_type::now().time_since_epoch().count();
      auto ts = payload_timestamp_ms(msg->get_payload());
      std::lock_guard lock{mu};
      if (received_data++ == 0)
        first_data_ns = t;
      last_data_ns = t;
      if (ts)
        delivery_latency.add(wall_ms() - static_cast<int64_t>(*ts));
    }
    received.fetch_add(1);
  });
  mqtt::connect_options co;
  co.set_clean_session(true);
  sub.connect(co)->wait();
  sub.subscribe(std::string(sparkplug::topic_namespace) + "/" + o.group + "/#", 1)->wait();
  publisher pub{o};
  pub.births();
  pub.data();
  uint64_t expected = o.messages + o.edge_nodes * (1 + o.devices);
  for (int quiet = 0; quiet < 20 && received.load() < expected;) {
    auto before = received.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    quiet = received.load() == before ? quiet + 1 : 0;
  }
  sub.disconnect()->wait();
  std::lock_guard lock{mu};
  double span_s = (last_data_ns - first_data_ns) / 1e9;
  uint64_t got = received.load();
  uint64_t published_metrics = o.messages * metrics_per_message;
  uint64_t received_metrics = received_data * metrics_per_message;
  double rate = span_s > 0 ? received_metrics / span_s : 0;
  std::printf("bare subscriber: offered %.0f metrics/s (%llu DDATA in %.2f s); %llu/%llu messages "
              "received, %.0f metrics/s (DDATA, first to last receipt), lost %lld metrics, "
              "delivery latency p50 %lld ms p99 %lld ms\n",
              pub.offered_metrics_per_s(), static_cast<unsigned long long>(o.messages),
              pub.data_s, static_cast<unsigned long long>(got),
              static_cast<unsigned long long>(expected), rate,
              static_cast<long long>(published_metrics) - static_cast<long long>(received_metrics),
              static_cast<long long>(delivery_latency.percentile(0.5)),
              static_cast<long long>(delivery_latency.percentile(0.99)));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"bench\":\"ingest\",\"phase\":\"bare\",\"messages\":%llu,\"received\":%llu,"
                "\"rate_msg_per_s\":%.0f,\"offered_metrics_per_s\":%.0f,\"publish_s\":%.3f,"
                "\"published_metrics\":%llu,\"received_metrics\":%llu,\"lost_metrics\":%lld,"
                "\"metrics_per_s\":%.0f,\"latency_p50_ms\":%lld,\"latency_p99_ms\":%lld}",
                static_cast<unsigned long long>(expected), static_cast<unsigned long long>(got),
                o.rate, pub.offered_metrics_per_s(), pub.data_s,
                static_cast<unsigned long long>(published_metrics),
                static_cast<unsigned long long>(received_metrics),
                static_cast<long long>(published_metrics) - static_cast<long long>(received_metrics),
                rate, static_cast<long long>(delivery_latency.percentile(0.5)),
                static_cast<long long>(delivery_latency.percentile(0.99)));
  print_json(o, buf);
  return 0;
}

struct admin_config : caf::actor_system_config {
  admin_config() {
    load<caf::io::middleman>();
    query::add_query_message_types(*this);
    // A cluster member closes links silent for its --cluster-timeout (CAF connection-timeout),
    // this one's too while the publisher runs, unless it heartbeats (as floe-admin does).
    set("middleman.heartbeat-interval",
        caf::timespan{std::chrono::milliseconds(defaults::admin::middleman_heartbeat_ms)});
  }
};

// Cluster: --admin lists every member (host:port,...); the statistics used below are summed over
// them (the node is connected when every member is; latencies and RSS: the largest member's).
void add_stats(query::node_stats& sum, const query::node_stats& s, bool first) {
  sum.ingest.connected = (first || sum.ingest.connected) && s.ingest.connected;
  sum.metrics += s.metrics;
  sum.rebirths_requested += s.rebirths_requested;
  sum.protocol_faults += s.protocol_faults;
  sum.rss_bytes = std::max(sum.rss_bytes, s.rss_bytes);
  sum.cpu_ms += s.cpu_ms;
  sum.store.points_committed += s.store.points_committed;
  sum.store.last_point_commit_ms = std::max(sum.store.last_point_commit_ms, s.store.last_point_commit_ms);
  sum.store.commit_latency_p50_ms = std::max(sum.store.commit_latency_p50_ms, s.store.commit_latency_p50_ms);
  sum.store.commit_latency_p99_ms = std::max(sum.store.commit_latency_p99_ms, s.store.commit_latency_p99_ms);
}

int run_floe(const options& o) {
  std::vector<std::pair<std::string, uint16_t>> addresses;
  for (size_t from = 0; from <= o.admin.size();) {
    auto to = std::min(o.admin.find(',', from), o.admin.size());
    auto one = o.admin.substr(from, to - from);
    auto colon = one.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "--admin host:port[,host:port...] required for --mode floe\n");
      return 2;
    }
    addresses.emplace_back(one.substr(0, colon), static_cast<uint16_t>(std::stoi(one.substr(colon + 1))));
    from = to + 1;
  }
  admin_config cfg;
  caf::actor_system sys{cfg};
  std::vector<query::query_actor> nodes;
  for (auto& [host, port] : addresses) {
    auto node = sys.middleman().remote_actor<query::query_actor>(host, port);
    if (!node) {
      std::fprintf(stderr, "cannot reach floe-node at %s:%u: %s\n", host.c_str(), unsigned{port},
                   sys.render(node.error()).c_str());
      return 2;
    }
    nodes.push_back(*node);
  }
  caf::scoped_actor self{sys};
  auto stats = [&] {
    query::node_stats sum;
    for (size_t i = 0; i < nodes.size(); ++i) {
      query::node_stats s;
      self->request(nodes[i], std::chrono::seconds(10), query::stats_atom::value)
        .receive([&](query::node_stats& x) { s = std::move(x); },
                 [&](caf::error& e) {
                   std::fprintf(stderr, "stats: %s\n", sys.render(e).c_str());
                 });
      add_stats(sum, s, i == 0);
    }
    return sum;
  };
  // The admin port opens before the node's broker session is up: births sent earlier are lost.
  auto before = stats();
  for (int i = 0; i < 100 && !before.ingest.connected; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    before = stats();
  }
  if (!before.ingest.connected) {
    std::fprintf(stderr, "floe-node did not connect to the broker within 10 s\n");
    return 1;
  }
  {
    publisher pub{o};
    pub.births();
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // births before data
    auto t0 = clock_type::now();
    auto t0_wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    auto mid = stats();
    pub.data();
    auto publish_s = std::chrono::duration<double>(clock_type::now() - t0).count();
    // Wait until stored points stop growing for 2 s.
    auto last = stats();
    auto t_last_growth = clock_type::now();
    for (;;) {
      // Polled every --poll-ms (default once a second): each poll walks every series' windows
      // in the aggregators.
      std::this_thread::sleep_for(std::chrono::milliseconds(o.poll_ms));
      auto s = stats();
      if (s.store.points_committed != last.store.points_committed)
        t_last_growth = clock_type::now();
      last = s;
      if (clock_type::now() - t_last_growth > std::chrono::seconds(2))
        break;
    }
    uint64_t published = o.messages * metrics_per_message;
    // Stored DATA points: everything committed since before the births, less the births.
    uint64_t stored = last.store.points_committed - before.store.points_committed
                      - std::min<uint64_t>(pub.births_metrics,
                                           last.store.points_committed - before.store.points_committed);
    uint64_t received_metrics = last.metrics - mid.metrics;
    double span_s = std::chrono::duration<double>(t_last_growth - t0).count();
    bool span_from_commit = last.store.last_point_commit_ms > t0_wall_ms;
    if (span_from_commit)
      span_s = (last.store.last_point_commit_ms - t0_wall_ms) / 1000.0;
    double cpu_us_per_metric =
      stored > 0 && last.cpu_ms >= mid.cpu_ms ? (last.cpu_ms - mid.cpu_ms) * 1000.0 / stored : 0;
    double rate = span_s > 0 ? stored / span_s : 0;
    size_t devices = o.edge_nodes * o.devices;
    std::printf("floe-node: published %llu metrics in %.2f s (offered %.0f metrics/s); received "
                "%llu, stored %llu, lost %lld (published - stored)\n",
                static_cast<unsigned long long>(published), publish_s, pub.offered_metrics_per_s(),
                static_cast<unsigned long long>(received_metrics),
                static_cast<unsigned long long>(stored),
                static_cast<long long>(published) - static_cast<long long>(stored));
    std::printf("floe-node: %.0f metrics/s stored (first publish to %s), cpu %.2f us per "
                "stored metric, commit latency "
                "p50 %lld ms p99 %lld ms (since node start), rss %.1f MiB (%.0f bytes/device "
                "over %zu devices, before: %.1f MiB), rebirths %llu, faults %llu\n",
                rate, span_from_commit ? "last commit" : "first poll that saw the last growth",
                cpu_us_per_metric,
                static_cast<long long>(last.store.commit_latency_p50_ms),
                static_cast<long long>(last.store.commit_latency_p99_ms),
                last.rss_bytes / 1048576.0,
                devices ? static_cast<double>(last.rss_bytes - before.rss_bytes) / devices : 0.0,
                devices, before.rss_bytes / 1048576.0,
                static_cast<unsigned long long>(last.rebirths_requested),
                static_cast<unsigned long long>(last.protocol_faults));
    char buf[640];
    std::snprintf(buf, sizeof buf,
                  "{\"bench\":\"ingest\",\"phase\":\"floe\",\"rate_msg_per_s\":%.0f,"
                  "\"offered_metrics_per_s\":%.0f,\"publish_s\":%.3f,\"poll_ms\":%lld,"
                  "\"lost_metrics\":%lld,"
                  "\"published_metrics\":%llu,\"received_metrics\":%llu,"
                  "\"stored_metrics\":%llu,\"metrics_per_s\":%.0f,\"latency_p50_ms\":%lld,"
                  "\"latency_p99_ms\":%lld,\"rss_bytes\":%llu,\"devices\":%zu,"
                  "\"cpu_us_per_metric\":%.3f,\"span_from_commit\":%s}",
                  o.rate, pub.offered_metrics_per_s(), pub.data_s, static_cast<long long>(o.poll_ms),
                  static_cast<long long>(published) - static_cast<long long>(stored),
                  static_cast<unsigned long long>(published),
                  static_cast<unsigned long long>(received_metrics),
                  static_cast<unsigned long long>(stored), rate,
                  static_cast<long long>(last.store.commit_latency_p50_ms),
                  static_cast<long long>(last.store.commit_latency_p99_ms),
                  static_cast<unsigned long long>(last.rss_bytes), devices, cpu_us_per_metric,
                  span_from_commit ? "true" : "false");
    print_json(o, buf);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  po::options_description desc("floe-ingest-bench options");
  desc.add_options()
    ("help", "this text")
    ("broker", po::value(&o.broker)->default_value(o.broker), "MQTT broker URI")
    ("mode", po::value(&o.mode)->default_value(o.mode), "bare (counting subscriber) | floe (a running floe-node, see --admin)")
    ("admin", po::value(&o.admin), "floe-node admin address host:port (mode floe); a cluster: every member, comma-separated (statistics summed)")
    ("group", po::value(&o.group)->default_value(o.group), "Sparkplug group id of the stream")
    ("edge-nodes", po::value(&o.edge_nodes)->default_value(o.edge_nodes), "edge nodes (count)")
    ("devices-per-node", po::value(&o.devices)->default_value(o.devices), "devices per edge node (count)")
    ("messages", po::value(&o.messages)->default_value(o.messages), "DDATA messages of 10 metrics (count)")
    ("rate", po::value(&o.rate)->default_value(o.rate), "DDATA messages offered per second (msg/s; 0 = as fast as the broker takes them)")
    ("poll-ms", po::value(&o.poll_ms)->default_value(o.poll_ms), "mode floe: statistics poll interval after the last publish (ms); the stored rate is low by up to one interval")
    ("json", po::value(&o.json), "append the figures as one JSON line to this file");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floe-ingest-bench: %s\n", e.what());
    return 64;
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  if (!(o.rate >= 0) || o.poll_ms <= 0) {
    std::fprintf(stderr, "floe-ingest-bench: --rate must be >= 0 and --poll-ms > 0\n");
    return 64;
  }
  try {
    return o.mode == "floe" ? run_floe(o) : run_bare(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floe-ingest-bench: %s\n", e.what());
    return 1;
  }
}
