#pragma once
// The query interface of a floe member: what the admin shell (floe-admin, over the admin port)
// and tests ask. Every type here is inspectable and registered (add_query_message_types), so
// replies cross the network.
//
// query_actor (on a cluster member, "the cluster" below; otherwise this process):
//   host::list_atom -> vector<host::edge_node_summary>        every edge node of the cluster
//                                                             (gathered from the live members)
//   get_atom, group, edge node, device -> host::device_state_view   ("" device: node metrics;
//                                                             routed to the edge node's owner)
//   history_atom, history_request -> history_reply             raw points or windows of a metric
//                                                             (gathered: every member's store)
//   alarms_atom, bool active_only, uint64 limit -> vector<alarms::alarm_view>   (gathered)
//   host::ack_atom, alarm id, operator -> std::string          (the member that has the alarm)
//   host::rebirth_atom, group, edge node -> std::string        send a Rebirth NCMD (routed)
//   stats_atom -> node_stats                                   this member only
//   cluster_atom -> cluster::cluster_status                    membership and owned edge nodes
//   local_atom, <list | history | alarms | ack request>        the same, this member only: what
//                                                             members ask each other
//   put_atom, cluster::cluster_actor                           local: the member's cluster actor
// Failures (unknown edge node, device or metric, timeouts) are caf::errors whose context
// names what was asked for.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/alarms/alarm_messages.hpp"
#include "actors/cluster/cluster_messages.hpp"
#include "actors/host/host_messages.hpp"
#include "actors/storage/storage_messages.hpp"

namespace floe::query {

using history_atom = caf::atom_constant<caf::atom("history")>;
using alarms_atom = caf::atom_constant<caf::atom("alarms")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using local_atom = caf::atom_constant<caf::atom("qlocal")>;
using stats_atom = caf::atom_constant<caf::atom("qstats")>;

struct history_request {
  std::string group;
  std::string edge_node;
  std::string device; // "" for node metrics
  std::string metric;
  int64_t from_ms = 0; // inclusive, ms UTC
  int64_t to_ms = 0;   // exclusive
  int64_t width_ms = 0; // 0: raw points; else windows of this width (must be configured)
  uint64_t limit = 0;   // most entries returned (0: the node's maximum)
  bool latest = false;  // a limit keeps the newest entries instead of the oldest
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_request& x) {
  return f(caf::meta::type_name("floe::query::history_request"), x.group, x.edge_node, x.device,
           x.metric, x.from_ms, x.to_ms, x.width_ms, x.limit, x.latest);
}

struct point_view {
  int64_t timestamp_ms = 0;
  std::string value; // rendered
  bool numeric = false;
  double number = 0;
  int32_t quality = 192;
  bool historical = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, point_view& x) {
  return f(caf::meta::type_name("floe::query::point_view"), x.timestamp_ms, x.value, x.numeric,
           x.number, x.quality, x.historical);
}

struct window_view {
  int64_t start_ms = 0;
  int64_t width_ms = 0;
  std::string kind; // numeric | boolean | string
  bool open = false; // still collecting (not yet stored)
  uint64_t count = 0;
  double min = 0, max = 0, sum = 0, mean = 0, stddev = 0, first = 0, last = 0;
  std::string last_value; // boolean/string windows
  uint64_t changes = 0;
  int64_t time_true_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, window_view& x) {
  return f(caf::meta::type_name("floe::query::window_view"), x.start_ms, x.width_ms, x.kind,
           x.open, x.count, x.min, x.max, x.sum, x.mean, x.stddev, x.first, x.last, x.last_value,
           x.changes, x.time_true_ms);
}

struct history_reply {
  std::string series;     // "group/edge/device/metric"
  uint64_t series_id = 0;
  std::vector<point_view> points;   // raw requests, ascending time
  std::vector<window_view> windows; // window requests, ascending start
  bool truncated = false;           // the limit cut the answer
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_reply& x) {
  return f(caf::meta::type_name("floe::query::history_reply"), x.series, x.series_id, x.points,
           x.windows, x.truncated);
}

// Counters of the MQTT side, read from the ingest (atomics).
struct ingest_counters {
  uint64_t messages = 0;       // MQTT messages received
  uint64_t bytes = 0;          // payload bytes received
  uint64_t ignored_topics = 0; // not Sparkplug, or commands / STATE of others
  uint64_t bad_topics = 0;     // spBv1.0 topics that do not parse
  uint64_t edge_nodes = 0;     // supervisors spawned
  uint64_t not_owned = 0;      // dropped: an edge node this cluster member does not own
  bool connected = false;      // to the broker now
  uint64_t connects = 0;
  uint64_t connection_losses = 0;
  // Bytes of messages between MQTT and the store now, the bound (0: none), and how often and
  // how long (ms) reading from the broker paused for it (common/pipeline_backlog.hpp).
  uint64_t backlog_bytes = 0;
  uint64_t backlog_limit_bytes = 0;
  uint64_t backlog_stalls = 0;
  uint64_t backlog_stalled_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ingest_counters& x) {
  return f(caf::meta::type_name("floe::query::ingest_counters"), x.messages, x.bytes,
           x.ignored_topics, x.bad_topics, x.edge_nodes, x.not_owned, x.connected, x.connects,
           x.connection_losses, x.backlog_bytes, x.backlog_limit_bytes, x.backlog_stalls,
           x.backlog_stalled_ms);
}

struct node_stats {
  std::string host_id;
  int64_t now_ms = 0;     // when sampled (ms UTC): rates come from two samples
  int64_t uptime_ms = 0;
  ingest_counters ingest;
  uint64_t edge_nodes_online = 0;
  uint64_t devices = 0;
  uint64_t devices_online = 0;
  uint64_t sparkplug_messages = 0; // applied by sessions
  uint64_t metrics = 0;            // metric values applied
  uint64_t rebirths_requested = 0;
  uint64_t protocol_faults = 0;
  uint64_t malformed_payloads = 0;
  uint64_t actors = 0;             // running actors in this process
  uint64_t rss_bytes = 0;          // resident memory of this process (bytes; Linux)
  storage_actors::store_stats store;
  uint64_t open_windows = 0;
  uint64_t windows_emitted = 0;
  uint64_t active_alarms = 0;
  // Bytes allocated with malloc and not freed (glibc mallinfo2; 0 elsewhere). Unlike rss_bytes
  // it leaves out memory the allocator keeps free for reuse, so it moves with floe's own state.
  uint64_t heap_bytes = 0;
  // CPU time this process has used since it started, user + system, all threads (ms;
  // getrusage). Its growth over a run divided by the metrics stored is the cost per metric,
  // a figure that moves far less with the machine's load than a rate does.
  uint64_t cpu_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_stats& x) {
  return f(caf::meta::type_name("floe::query::node_stats"), x.host_id, x.now_ms, x.uptime_ms,
           x.ingest, x.edge_nodes_online, x.devices, x.devices_online, x.sparkplug_messages,
           x.metrics, x.rebirths_requested, x.protocol_faults, x.malformed_payloads, x.actors,
           x.rss_bytes, x.store, x.open_windows, x.windows_emitted, x.active_alarms,
           x.heap_bytes, x.cpu_ms);
}

using query_actor = caf::typed_actor<
  caf::replies_to<host::list_atom>::with<std::vector<host::edge_node_summary>>,
  caf::replies_to<caf::get_atom, std::string, std::string, std::string>::with<
    host::device_state_view>,
  caf::replies_to<history_atom, history_request>::with<history_reply>,
  caf::replies_to<alarms_atom, bool, uint64_t>::with<std::vector<alarms::alarm_view>>,
  caf::replies_to<host::ack_atom, std::string, std::string>::with<std::string>,
  caf::replies_to<host::rebirth_atom, std::string, std::string>::with<std::string>,
  caf::replies_to<stats_atom>::with<node_stats>,
  caf::replies_to<cluster_atom>::with<cluster::cluster_status>,
  caf::replies_to<local_atom, host::list_atom>::with<std::vector<host::edge_node_summary>>,
  caf::replies_to<local_atom, history_atom, history_request>::with<history_reply>,
  caf::replies_to<local_atom, alarms_atom, bool, uint64_t>::with<std::vector<alarms::alarm_view>>,
  caf::replies_to<local_atom, host::ack_atom, std::string, std::string>::with<std::string>,
  caf::reacts_to<caf::put_atom, cluster::cluster_actor>>;

// Registers every type that crosses the admin connection (host views, alarm views, query
// types, store stats); call on the actor_system_config of floe-node and floe-admin.
void add_query_message_types(caf::actor_system_config& cfg);

} // namespace floe::query
