// floe-sim: Sparkplug B 3.0 edge-node simulator. Threads: main (options, progress display,
// signals, duration), the scheduling thread (all edge-node logic and publishing), paho's
// client threads (network I/O and callbacks), and with --fault-drop-every the TCP relay's.
// Exit codes: 0 clean finish, 2 bad options/profile/files, 3 no edge node ever connected.

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "sim/edge_node.hpp"
#include "sim/event_queue.hpp"
#include "sim/fleet.hpp"
#include "sim/options.hpp"
#include "sim/paho_transport.hpp"
#include "sim/profile.hpp"
#include "sim/record.hpp"
#include "sim/scheduler.hpp"
#include "sim/stats.hpp"
#include "sim/tcp_relay.hpp"

namespace {

using namespace floe;
using namespace floe::sim;
using clock_type = std::chrono::steady_clock;

constexpr int exit_usage = 2;
constexpr int exit_never_connected = 3;

int fail(const std::string& message) {
  std::fprintf(stderr, "floe-sim: %s\n", message.c_str());
  return exit_usage;
}

// Each edge node holds one socket (three with the relay); the default soft limit of 1024 is too
// low for large fleets, so raise it towards the hard limit.
void raise_file_limit(size_t needed) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= needed)
    return;
  rlim_t want = lim.rlim_max == RLIM_INFINITY ? needed : std::min<rlim_t>(needed, lim.rlim_max);
  lim.rlim_cur = want;
  setrlimit(RLIMIT_NOFILE, &lim);
  if (want < needed)
    std::fprintf(stderr, "floe-sim: warning: open-file limit %llu is below the %zu needed\n",
                 static_cast<unsigned long long>(want), needed);
}

// Waits up to `ms` for SIGINT/SIGTERM (blocked in every thread); true when one arrived.
bool wait_for_signal(int ms) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1'000'000L};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

} // namespace

int main(int argc, char** argv) {
  // Block the stop signals before any thread exists, so every thread inherits the mask and
  // main alone receives them through sigtimedwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  command_line cli = parse_command_line(argc, argv);
  if (cli.what == command_line::action::help) {
    std::fputs(cli.text.c_str(), stdout);
    return 0;
  }
  if (cli.what == command_line::action::fail)
    return fail(cli.text + " (see --help)");
  const sim_options& o = cli.options;

  auto profile_path = resolve_profile_path(o);
  if (!profile_path)
    return fail(profile_path.error());
  auto loaded = load_profile(*profile_path);
  if (!loaded)
    return fail(loaded.error());
  profile prof = std::move(*loaded);
  if (auto expanded = expand_synthetic(prof, o.metrics); !expanded)
    return fail(expanded.error());

  fleet_options fo{o.group_id, o.edge_prefix, o.edge_nodes, o.devices_per_node};
  auto fleet = make_fleet(prof, fo);
  if (!fleet)
    return fail(fleet.error());
  size_t total_devices = o.edge_nodes * o.devices_per_node;

  std::unique_ptr<recorder> record;
  if (!o.record_path.empty()) {
    auto r = recorder::open(o.record_path);
    if (!r)
      return fail(r.error());
    record = std::move(*r);
  }
  if (!o.stats_json_path.empty()) {
    std::ofstream probe(o.stats_json_path);
    if (!probe)
      return fail("cannot create stats file " + o.stats_json_path);
  }

  std::unique_ptr<tcp_relay> relay;
  if (o.fault_drop_every_s > 0) {
    auto r = tcp_relay::start(o.broker_uri, o.edge_nodes);
    if (!r)
      return fail(r.error());
    relay = std::move(*r);
  }
  raise_file_limit(o.edge_nodes * (relay ? 3 : 1) + 256);

  sim_stats stats;
  event_queue events;
  uint64_t next_tag = 0;
  edge_node_config cfg;
  cfg.group_id = o.group_id;
  cfg.primary_host = o.primary_host;
  cfg.report_by_exception = prof.report_by_exception;
  cfg.max_in_flight = o.max_in_flight;
  cfg.seed = o.seed;
  cfg.faults.skip_seq_every = o.fault_skip_seq_every;
  cfg.faults.data_before_birth = o.fault_data_before_birth;
  cfg.faults.historical_every = o.fault_historical_every;
  cfg.faults.null_every = o.fault_null_every;
  edge_node_services services{&stats, record.get(), &next_tag};

  std::vector<std::unique_ptr<edge_node>> nodes;
  nodes.reserve(o.edge_nodes);
  uint64_t now_ms = utc_now_ms();
  try {
    for (uint32_t i = 0; i < fleet->size(); ++i) {
      const edge_node_layout& layout = (*fleet)[i];
      paho_transport_options to;
      to.server_uri = relay ? relay->uri(i) : o.broker_uri;
      to.client_id = "floe-sim-" + o.group_id + "-" + layout.id;
      to.keep_alive_s = o.keep_alive_s;
      to.connect_timeout_s = defaults::sim::connect_timeout_s;
      // Above the DATA bound by a full set of births, which are never held back.
      to.max_buffered_messages = static_cast<int>(
        std::min<size_t>(o.max_in_flight + o.devices_per_node + 64, 100'000'000));
      if (relay)
        to.drop = [r = relay.get(), i] { return r->drop(i); };
      auto transport = std::make_unique<paho_transport>(std::move(to), i, events);
      nodes.push_back(std::make_unique<edge_node>(cfg, prof, layout, i, std::move(transport),
                                                  services, now_ms));
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  scheduler_options so;
  so.rate_per_s = o.rate_per_s;
  so.node_data_interval_s = prof.node_data_interval_s;
  so.seed = o.seed;
  so.drop_every_s = o.fault_drop_every_s;
  so.device_offline_every_s = o.fault_device_offline_every_s;
  scheduler sched(nodes, events, so);

  std::fprintf(stderr,
               "floe-sim: %zu edge nodes x %zu devices (%s), %.3g DDATA/s per device, broker %s%s\n",
               o.edge_nodes, o.devices_per_node, prof.name.c_str(), o.rate_per_s,
               o.broker_uri.c_str(), relay ? " via drop relay" : "");

  auto started = clock_type::now();
  std::thread scheduling([&sched] { sched.run(); });

  bool terminal = isatty(STDERR_FILENO) != 0;
  auto progress_every = std::chrono::milliseconds(terminal ? defaults::sim::progress_terminal_ms
                                                           : defaults::sim::progress_plain_ms);
  stats_snapshot last = snapshot(stats);
  auto last_progress = started;
  bool progress_shown = false;
  for (;;) {
    if (wait_for_signal(100))
      break;
    auto now = clock_type::now();
    double elapsed = std::chrono::duration<double>(now - started).count();
    if (o.duration_s > 0 && elapsed >= o.duration_s)
      break;
    if (o.progress && now - last_progress >= progress_every) {
      stats_snapshot cur = snapshot(stats);
      double interval = std::chrono::duration<double>(now - last_progress).count();
      std::string line = progress_line(last, cur, interval, elapsed, total_devices);
      if (terminal)
        std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
      else
        std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
      progress_shown = true;
      last = cur;
      last_progress = now;
    }
  }
  if (progress_shown && terminal)
    std::fputc('\n', stderr);

  run_facts facts;
  facts.devices_online_before_shutdown = stats.devices_online.load();
  sched.request_stop();
  scheduling.join();
  facts.elapsed_s = std::chrono::duration<double>(clock_type::now() - started).count();
  facts.edge_nodes = o.edge_nodes;
  facts.devices = total_devices;
  facts.profile = prof.name;
  facts.rate_per_s = o.rate_per_s;
  for (const auto& n : nodes)
    facts.ever_connected = facts.ever_connected || n->ever_connected();

  nodes.clear(); // paho clients go before the relay they may still be connected through
  relay.reset();

  int rc = 0;
  if (record) {
    if (std::string err = record->close(); !err.empty()) {
      std::fprintf(stderr, "floe-sim: %s\n", err.c_str());
      rc = exit_usage;
    }
  }
  if (!o.stats_json_path.empty()) {
    std::ofstream out(o.stats_json_path, std::ios::trunc);
    out << stats_json(stats, facts);
    if (!out) {
      std::fprintf(stderr, "floe-sim: writing %s failed\n", o.stats_json_path.c_str());
      rc = exit_usage;
    }
  }
  stats_snapshot end = snapshot(stats);
  std::fprintf(stderr,
               "floe-sim: %llu messages (%llu metrics) in %.1f s, %llu dropped, %llu errors, "
               "%llu reconnects\n",
               static_cast<unsigned long long>(end.messages),
               static_cast<unsigned long long>(end.metrics), facts.elapsed_s,
               static_cast<unsigned long long>(end.dropped),
               static_cast<unsigned long long>(end.errors),
               static_cast<unsigned long long>(end.reconnects));
  if (!facts.ever_connected) {
    std::fprintf(stderr, "floe-sim: no edge node could connect to %s\n", o.broker_uri.c_str());
    return exit_never_connected;
  }
  return rc;
}
