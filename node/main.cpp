// floe-node: one floe member, a Sparkplug B 3.0 primary host. Wires the actors (docs and
// DESIGN: ingest -> edge_node_supervisor -> device_actor -> store_writer -> window_aggregator,
// alarm_book, query_actor on the admin port) around one RocksDB database, connects to the
// broker and runs until SIGINT/SIGTERM.
// Exit codes: 0 clean stop, 1 start-up failure (store, rules, admin port, broker options),
// 2 bad command line or configuration.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/alarms/alarm_book.hpp"
#include "actors/alarms/rule_set.hpp"
#include "actors/cluster/cluster_member.hpp"
#include "actors/host/edge_node_directory.hpp"
#include "actors/query/query_actor.hpp"
#include "actors/storage/store_point_source.hpp"
#include "actors/storage/store_writer.hpp"
#include "actors/windows/window_aggregator.hpp"
#include "common/log.hpp"
#include "mqtt/host_client.hpp"
#include "node/ingest.hpp"
#include "node/node_options.hpp"
#include "sparkplug/topic.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/series_dictionary.hpp"

extern char** environ;

namespace {

using namespace floe;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct node_config : caf::actor_system_config {
  node_config() {
    load<caf::io::middleman>();
    query::add_query_message_types(*this);
    windows::add_window_message_types(*this);
  }
};

// Blocks until SIGINT or SIGTERM, waking every `interval` to call `tick`.
template <class Tick>
void run_until_signal(std::chrono::seconds interval, Tick tick) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  for (;;) {
    timespec ts{interval.count() > 0 ? static_cast<time_t>(interval.count()) : 3600, 0};
    int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig == SIGINT || sig == SIGTERM) {
      log::info("node", "%s: stopping", strsignal(sig));
      return;
    }
    if (interval.count() > 0)
      tick();
  }
}

void print_stats_line(const query::node_stats& s, query::node_stats& prev) {
  double secs = prev.now_ms > 0 ? (s.now_ms - prev.now_ms) / 1000.0 : 0;
  // A part that timed out reports zeros: a counter below its previous sample is no rate.
  auto rate = [&](uint64_t now, uint64_t before) {
    return secs > 0 && now >= before ? static_cast<double>(now - before) / secs : 0.0;
  };
  log::info("stats",
            "mqtt %s, %.0f msg/s, %.0f metrics/s | edge nodes %llu/%llu online, devices %llu/%llu "
            "| points committed %llu (%.0f/s), pending %llu, windows %llu | rebirths %llu, faults "
            "%llu, malformed %llu | alarms active %llu | actors %llu, rss %.0f MiB, heap %.1f MiB, "
            "commit latency p50 "
            "%lld ms p99 %lld ms",
            s.ingest.connected ? "up" : "DOWN", rate(s.ingest.messages, prev.ingest.messages),
            rate(s.metrics, prev.metrics),
            static_cast<unsigned long long>(s.edge_nodes_online),
            static_cast<unsigned long long>(s.ingest.edge_nodes),
            static_cast<unsigned long long>(s.devices_online),
            static_cast<unsigned long long>(s.devices),
            static_cast<unsigned long long>(s.store.points_committed),
            rate(s.store.points_committed, prev.store.points_committed),
            static_cast<unsigned long long>(s.store.points_pending),
            static_cast<unsigned long long>(s.store.windows_committed),
            static_cast<unsigned long long>(s.rebirths_requested),
            static_cast<unsigned long long>(s.protocol_faults),
            static_cast<unsigned long long>(s.malformed_payloads),
            static_cast<unsigned long long>(s.active_alarms),
            static_cast<unsigned long long>(s.actors), s.rss_bytes / 1048576.0,
            s.heap_bytes / 1048576.0,
            static_cast<long long>(s.store.commit_latency_p50_ms),
            static_cast<long long>(s.store.commit_latency_p99_ms));
  prev = s;
}

int run(const node::node_options& o) {
  // --- store ---
  store::rocksdb_options ro;
  ro.path = o.data_dir;
  ro.mode = *store::durability_from_string(o.durability);
  ro.write_buffer_bytes = o.write_buffer_bytes;
  ro.hinted_series = o.hinted_series;
  ro.memtable_budget_bytes = o.memtable_budget_bytes;
  ro.block_cache_bytes = o.block_cache_bytes;
  auto opened = store::rocksdb_storage::open(ro);
  if (!opened) {
    log::error("node", "cannot open the store: %s", store::to_string(opened.error()).c_str());
    return 1;
  }
  std::shared_ptr<store::storage> db = std::move(*opened);
  auto dict = store::series_dictionary::load(*db);
  if (!dict) {
    log::error("node", "cannot load the series dictionary: %s",
               store::to_string(dict.error()).c_str());
    return 1;
  }
  std::shared_ptr<store::series_dictionary> dictionary = std::move(*dict);
  log::info("node", "store %s open, %zu series known", db->describe().c_str(),
            dictionary->size());

  // --- alarm rules ---
  std::shared_ptr<const alarms::rule_set> rules;
  if (!o.alarm_rules.empty()) {
    auto loaded = alarms::rule_set::load(o.alarm_rules);
    if (!loaded) {
      log::error("node", "alarm rules: %s", loaded.error().to_string().c_str());
      return 1;
    }
    rules = std::make_shared<const alarms::rule_set>(std::move(*loaded));
    log::info("node", "%zu alarm rules from %s", rules->size(), o.alarm_rules.c_str());
  }

  // Declared before the actor system so that it outlives every actor that may still publish.
  std::unique_ptr<mqtt_link::host_client> client;
  // Never destroyed: after a run with traffic, CAF 0.17.6's ~actor_system waits forever for a
  // detached thread that no longer exists (all of floe's actors have exited by then; observed
  // with gdb). The stop path instead waits for floe's actors, closes the store and leaves with
  // _Exit (see main).
  auto* cfg = new node_config;
  size_t workers = o.worker_threads;
  if (workers == 0)
    workers = std::max(1u, std::thread::hardware_concurrency());
  cfg->set("scheduler.max-threads", workers);
  const bool clustered = o.cluster_port != 0;
  const bool cluster_tls = clustered && !o.cluster_tls_cert.empty();
  if (cluster_tls) {
    // Mutual TLS for every connection made through the openssl manager (the cluster links); the
    // admin port stays on the plain middleman.
    cfg->load<caf::openssl::manager>();
    cfg->set("openssl.certificate", o.cluster_tls_cert);
    cfg->set("openssl.key", o.cluster_tls_key);
    cfg->set("openssl.cafile", o.cluster_tls_ca);
  }
  if (clustered) {
    // Any message counts as life on a link; every member heartbeats at this period, and a link
    // silent for the timeout closes (a hung member's), which downs its monitored actor.
    cfg->set("middleman.heartbeat-interval",
             caf::timespan{std::chrono::milliseconds(o.cluster_heartbeat_ms)});
    cfg->set("middleman.connection-timeout",
             caf::timespan{std::chrono::milliseconds(o.cluster_timeout_ms)});
  }
  auto& sys = *new caf::actor_system{*cfg};

  // --- actors ---
  storage_actors::store_writer_setup ws;
  ws.db = db;
  ws.batch_max_points = o.batch_max_points;
  ws.points_retention_ms = o.points_retention_h * 3'600'000;
  ws.windows_retention_ms = o.windows_retention_h * 3'600'000;
  ws.retention_interval_ms = o.retention_interval_s * 1'000;
  ws.now_ms = wall_ms;
  auto backlog = std::make_shared<pipeline_backlog>(o.ingest_backlog_bytes);
  ws.backlog = backlog;
  auto writer = sys.spawn(storage_actors::store_writer, ws);

  windows::aggregator_setup as;
  as.config.widths_ms = o.window_widths_ms;
  as.config.allowed_lateness_ms = o.allowed_lateness_ms;
  as.raw = std::make_shared<storage_actors::store_point_source>(db);
  as.sink = writer;
  as.fresh_series_from = dictionary->next_free_id();
  std::vector<windows::window_aggregator_actor> aggregators;
  for (size_t i = 0; i < o.aggregators; ++i) {
    auto a = windows::spawn_window_aggregator(sys, as);
    if (!a) {
      log::error("node", "window aggregator: %s", std::string(windows::to_string(a.error())).c_str());
      caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
      return 1;
    }
    aggregators.push_back(*a);
  }
  caf::anon_send(writer, storage_actors::window_routes{aggregators});
  size_t unreadable = 0;
  auto history = storage_actors::load_alarm_history(*db, defaults::node::alarm_history_events,
                                                    &unreadable);
  if (unreadable > 0)
    log::warn("node", "%zu stored alarm events could not be read", unreadable);
  // Alarm states of before the restart, from the newest stored events (D17).
  auto saved_alarms = std::make_shared<const alarms::saved_alarms>(
    alarms::saved_from_history(history));
  auto book = sys.spawn(alarms::alarm_book, writer, defaults::node::alarm_history_events,
                        std::move(history));
  auto directory = sys.spawn(host::edge_node_directory, defaults::node::query_timeout_ms);

  auto ctx = std::make_shared<host::host_context>();
  ctx->now_ms = wall_ms;
  ctx->publish = [&client](const std::string& topic, const std::string& payload) {
    client->publish(topic, payload, 0, false); // set before the first message can arrive
  };
  ctx->session.reorder_timeout_ms = o.reorder_timeout_ms;
  ctx->session.reorder_buffer_max = o.reorder_buffer;
  ctx->session.rebirth_throttle_ms = o.rebirth_throttle_ms;
  ctx->dictionary = dictionary;
  ctx->rules = rules;
  if (!saved_alarms->empty())
    ctx->saved_alarms = saved_alarms;
  ctx->writer = writer;
  ctx->alarm_book = book;
  ctx->backlog = backlog;
  node::ingest in{sys, ctx, directory};

  mqtt_link::host_client_options mo;
  mo.broker_uri = o.broker_uri;
  mo.host_id = o.host_id;
  mo.client_id = o.client_id;
  mo.username = o.mqtt_username;
  mo.password = o.mqtt_password;
  mo.tls_ca_file = o.mqtt_tls_ca;
  mo.tls_cert_file = o.mqtt_tls_cert;
  mo.tls_key_file = o.mqtt_tls_key;
  mo.keep_alive_s = o.keep_alive_s;
  mo.reconnect_min_ms = o.reconnect_min_ms;
  mo.reconnect_max_ms = o.reconnect_max_ms;
  mo.subscribe_qos = o.subscribe_qos;
  client = std::make_unique<mqtt_link::host_client>(
    mo, [&in](std::string_view t, std::string_view p) { in.on_message(t, p); },
    [&in](bool up, const std::string& why) { in.on_status(up, why); });

  query::query_setup qs;
  qs.host_id = o.host_id;
  qs.started_ms = wall_ms();
  qs.now_ms = wall_ms;
  qs.ingest = [&in, &client] {
    auto c = in.counters();
    auto s = client->stats();
    c.connected = s.connected;
    c.connects = s.connects;
    c.connection_losses = s.connection_losses;
    return c;
  };
  qs.directory = directory;
  qs.alarm_book = book;
  qs.writer = writer;
  qs.aggregators = aggregators;
  cluster::cluster_actor cluster_handle;
  std::optional<cluster::cluster_member_setup> cluster_setup;
  if (clustered) {
    cluster::cluster_member_setup cs;
    cs.membership.self = o.cluster_advertise;
    cs.membership.seeds = o.seeds;
    cs.membership.cluster_size = o.cluster_size;
    cs.membership.heartbeat_timeout_ms = o.cluster_timeout_ms;
    cs.heartbeat_interval_ms = o.cluster_heartbeat_ms;
    cs.connect_timeout_ms = o.cluster_connect_timeout_ms;
    cs.reconnect_interval_ms = o.cluster_reconnect_ms;
    cs.connector = cluster_tls ? caf::actor_cast<caf::actor>(sys.openssl_manager().actor_handle())
                               : caf::actor_cast<caf::actor>(sys.middleman().actor_handle());
    // Acquire: route first, so the messages the subscription brings find their session; the
    // Rebirth goes once the broker confirmed the subscription (its NBIRTH must not be missed).
    // "group/edge" (a cluster key) -> its subscription filter.
    auto filter_of = [](const std::string& key) {
      auto slash = key.find('/');
      return sparkplug::edge_node_filter(key.substr(0, slash), key.substr(slash + 1));
    };
    cs.acquire = [&in, &client, filter_of](const std::string& key) {
      auto sup = in.own(key);
      client->subscribe(filter_of(key), [sup, key](bool ok) {
        if (ok)
          caf::anon_send(sup, host::rebirth_atom::value, std::string("shard acquired"));
        else
          log::warn("cluster", "the broker refused the subscription of edge node %s",
                    key.c_str());
      });
    };
    cs.release = [&in, &client, filter_of](const std::string& key) {
      client->unsubscribe(filter_of(key));
      in.disown(key);
    };
    cs.known = dictionary->edge_nodes();
    if (!o.groups.empty()) {
      // Only the groups this member hosts.
      std::vector<std::string> kept;
      for (auto& k : cs.known)
        for (auto& g : o.groups)
          if (k.compare(0, g.size() + 1, g + "/") == 0)
            kept.push_back(k);
      cs.known = std::move(kept);
    }
    cluster_setup = std::move(cs);
  }
  qs.db = db;
  qs.dictionary = dictionary;
  qs.window_widths_ms = o.window_widths_ms;
  auto query_handle = sys.spawn(query::query_behavior, qs);
  if (cluster_setup) {
    // The query actor first: the cluster actor tells every member it links to where this
    // member's queries go (routing and gathering across members).
    cluster_setup->query = caf::actor_cast<caf::actor>(query_handle);
    cluster_handle = sys.spawn(cluster::cluster_member, std::move(*cluster_setup));
    in.enable_sharding(cluster_handle);
    caf::anon_send(query_handle, caf::put_atom::value, cluster_handle);
  }

  auto shutdown_actors = [&] {
    for (auto& s : in.supervisors())
      caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
    for (auto& a : aggregators)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(book, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(query_handle, caf::exit_reason::user_shutdown);
    if (cluster_handle)
      caf::anon_send_exit(cluster_handle, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  };

  if (o.admin_port != 0) {
    auto port = sys.middleman().publish(query_handle, o.admin_port, o.admin_bind.c_str(), true);
    if (!port) {
      log::error("node", "cannot open the admin port %s:%u: %s", o.admin_bind.c_str(),
                 o.admin_port, sys.render(port.error()).c_str());
      shutdown_actors();
      return 1;
    }
    log::info("node", "admin port %s:%u", o.admin_bind.c_str(), *port);
  }

  if (clustered) {
    auto port = cluster_tls ? caf::openssl::publish(cluster_handle, o.cluster_port,
                                                    o.cluster_bind.c_str(), true)
                            : sys.middleman().publish(cluster_handle, o.cluster_port,
                                                      o.cluster_bind.c_str(), true);
    if (!port) {
      log::error("node", "cannot open the cluster port %s:%u: %s", o.cluster_bind.c_str(),
                 o.cluster_port, sys.render(port.error()).c_str());
      shutdown_actors();
      return 1;
    }
    log::info("node", "cluster port %s:%u%s, member id %s", o.cluster_bind.c_str(), *port,
              cluster_tls ? " (mutual TLS)" : "", o.cluster_advertise.c_str());
  }

  // Subscriptions first: host_client subscribes them before it publishes the STATE birth. A
  // cluster member subscribes births and deaths for discovery; the cluster actor adds one
  // filter per owned edge node (docs/cluster.md).
  const std::string ns(sparkplug::topic_namespace);
  std::vector<std::string> scopes;
  if (o.groups.empty())
    scopes.push_back("+");
  else
    scopes = o.groups;
  for (auto& g : scopes) {
    if (clustered) {
      client->subscribe(ns + "/" + g + "/NBIRTH/+");
      client->subscribe(ns + "/" + g + "/NDEATH/+");
    } else {
      client->subscribe(g == "+" ? ns + "/#" : ns + "/" + g + "/#");
    }
  }
  if (auto err = client->start(); !err.empty()) {
    log::error("node", "MQTT: %s", err.c_str());
    shutdown_actors();
    return 1;
  }
  log::info("node", "host id '%s', broker %s, data %s%s%s", o.host_id.c_str(),
            o.broker_uri.c_str(), o.data_dir.c_str(),
            o.config_file.empty() ? "" : ", config ", o.config_file.c_str());

  caf::scoped_actor self{sys};
  query::node_stats prev;
  run_until_signal(std::chrono::seconds(o.stats_interval_s), [&] {
    // Twice the parts' own timeout: a slow part is left at zero, not the whole line lost.
    self->request(query_handle, std::chrono::milliseconds(2 * defaults::node::query_timeout_ms),
                  query::stats_atom::value)
      .receive([&](query::node_stats& s) { print_stats_line(s, prev); },
               [&](caf::error& e) { log::warn("stats", "%s", sys.render(e).c_str()); });
  });

  // Leave the cluster first (the peers take over the edge nodes while this member still stores
  // them), then stop input, let what is in flight reach the writer, commit it, stop the actors.
  if (clustered)
    self->request(cluster_handle, std::chrono::milliseconds(2 * o.cluster_connect_timeout_ms
                                                            + 2 * o.cluster_heartbeat_ms),
                  cluster::stop_atom::value)
      .receive([&](bool confirmed) {
                 if (!confirmed)
                   log::warn("node", "left the cluster without every member's confirmation");
               },
               [&](caf::error& e) { log::warn("node", "leaving the cluster: %s",
                                              sys.render(e).c_str()); });
  client->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  self->request(writer, std::chrono::seconds(10), storage_actors::sync_atom::value)
    .receive([&](uint64_t n) { log::info("node", "%llu points committed in total",
                                         static_cast<unsigned long long>(n)); },
             [&](caf::error& e) { log::error("node", "final commit: %s", sys.render(e).c_str()); });
  if (o.admin_port != 0)
    sys.middleman().unpublish(query_handle, o.admin_port);
  if (clustered)
    sys.middleman().unpublish(cluster_handle, o.cluster_port);
  shutdown_actors();
  // Bounded wait for every actor but the scoped one; their state (holding the store) goes
  // with them, so the store closes when `db` leaves scope below.
  for (int i = 0; i < 100 && sys.registry().running() > 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (auto left = sys.registry().running(); left > 1)
    log::warn("node", "%zu actors still running at exit", left - 1);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM are taken by sigtimedwait in the main thread; every other thread (CAF,
  // paho, RocksDB) inherits the blocked mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e)
    env.emplace_back(*e);
  auto cl = floe::node::parse_command_line(argc, argv, env);
  switch (cl.what) {
    case floe::node::command_line::action::help:
      std::fputs(cl.text.c_str(), stdout);
      return 0;
    case floe::node::command_line::action::fail:
      std::fprintf(stderr, "floe-node: %s\n(see floe-node --help)\n", cl.text.c_str());
      return 2;
    case floe::node::command_line::action::run:
      break;
  }
  int rc = run(cl.options);
  std::fflush(nullptr);
  std::_Exit(rc); // see the note on the actor system in run()
}
