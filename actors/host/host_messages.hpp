#pragma once
// Messages and typed interfaces of the host actors: edge_node_supervisor (one per Sparkplug
// edge node), device_actor (one per device, plus one for the edge node's own metrics under the
// empty device id) and edge_node_directory (knows every supervisor of this member).
//
// Views (edge_node_summary, device_state_view, metric_view) are what queries return; they are
// inspectable and registered (add_host_message_types) so the admin shell can receive them over
// the network. Messages between local actors that carry Sparkplug values (device_updates,
// device_birth) hold std::variant-based types that CAF 0.17 cannot serialize: they are marked
// local-only below and never cross the network.
//
// supervisor_actor:
//   raw_message                          one MQTT message of this edge node (arrival order)
//   timer_atom, uint64 generation        internal: session deadline (stale generations ignored)
//   get_atom -> edge_node_summary        session state and counters
//   get_atom, device id -> device_state_view   one device ("" = the node's own metrics)
//   rebirth_atom, reason -> std::string  send a Rebirth NCMD now (throttled); replies what it did
//   release_atom                         forget the session (shard moved, broker lost): offline
//   ack_atom, alarm id, operator -> std::string   acknowledge a node-level alarm
// device_actor:
//   device_birth / device_updates / device_status    from the supervisor
//   timer_atom, uint64 generation        internal: alarm deadline
//   get_atom -> device_state_view
//   ack_atom, alarm id, operator -> std::string
// directory_actor:
//   put_atom, group, edge node, supervisor   a supervisor was spawned
//   delete_atom, group, edge node            it was stopped (the shard moved to another member)
//   list_atom -> vector<edge_node_summary>   every supervisor's summary (gathered)
//   get_atom, group, edge node -> supervisor_actor (null handle when unknown)

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/host/session_event.hpp"
#include "common/pipeline_backlog.hpp"

namespace floe::host {

using timer_atom = caf::atom_constant<caf::atom("htimer")>;
using rebirth_atom = caf::atom_constant<caf::atom("rebirth")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using list_atom = caf::atom_constant<caf::atom("list")>;

// One MQTT message for a supervisor: the topic is already parsed and routed.
struct raw_message {
  uint8_t type = 0;        // sparkplug::message_type
  std::string device;      // device id for D* messages
  std::string payload;     // protobuf bytes as received
  int64_t arrival_ms = 0;  // wall clock at receipt (ms since the Unix epoch, UTC)
  backlog_ticket ticket;   // its bytes in the node's pipeline_backlog (not serialized)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, raw_message& x) {
  return f(caf::meta::type_name("floe::host::raw_message"), x.type, x.device, x.payload,
           x.arrival_ms);
}

// A birth's metric definitions for one device actor: replaces its metric set.
struct device_birth {
  int64_t timestamp = 0;
  std::vector<metric_definition> metrics;
  backlog_ticket ticket; // not serialized
};

// The values of one message for one device actor, in message order.
struct device_updates {
  std::vector<metric_update> updates;
  backlog_ticket ticket; // not serialized
};

// Online/offline of the device (or of the node, for the node-metrics actor).
struct device_status {
  bool online = false;
  uint8_t reason = 0; // offline_reason when offline
  int64_t timestamp = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_status& x) {
  return f(caf::meta::type_name("floe::host::device_status"), x.online, x.reason, x.timestamp);
}

// --- views for queries -------------------------------------------------------------------

struct metric_view {
  std::string name;
  int64_t alias = -1;          // -1: none
  std::string datatype;        // "Float", ...
  std::string value;           // rendered for display; "null" for null
  bool numeric = false;        // `number` holds the value
  double number = 0;
  int64_t timestamp_ms = 0;    // of the current value; 0 when none arrived yet
  int32_t quality = quality_good;
  bool stale = false;          // device or node offline since this value
  uint64_t updates = 0;        // values received since the birth
  std::map<std::string, std::string> properties; // rendered
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metric_view& x) {
  return f(caf::meta::type_name("floe::host::metric_view"), x.name, x.alias, x.datatype, x.value,
           x.numeric, x.number, x.timestamp_ms, x.quality, x.stale, x.updates, x.properties);
}

struct alarm_brief {
  std::string alarm_id;
  std::string state;    // alarms::to_string(alarm_state)
  std::string severity;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alarm_brief& x) {
  return f(caf::meta::type_name("floe::host::alarm_brief"), x.alarm_id, x.state, x.severity,
           x.message);
}

struct device_state_view {
  std::string group;
  std::string edge_node;
  std::string device;           // "" = the edge node's own metrics
  bool online = false;
  int64_t birth_timestamp = 0;  // ms UTC, 0 if never born
  int64_t offline_timestamp = 0;
  uint64_t messages = 0;        // DATA/BIRTH messages applied to this device
  std::vector<metric_view> metrics;     // by name
  std::vector<alarm_brief> alarms;      // alarms not in normal state
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_state_view& x) {
  return f(caf::meta::type_name("floe::host::device_state_view"), x.group, x.edge_node,
           x.device, x.online, x.birth_timestamp, x.offline_timestamp, x.messages, x.metrics,
           x.alarms);
}

struct device_brief {
  std::string id;
  bool online = false;
  int64_t birth_timestamp = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, device_brief& x) {
  return f(caf::meta::type_name("floe::host::device_brief"), x.id, x.online, x.birth_timestamp);
}

struct edge_node_summary {
  std::string group;
  std::string edge_node;
  bool online = false;
  int64_t bdseq = -1;            // -1: none
  int64_t last_seq = -1;         // -1: none
  int64_t birth_timestamp = 0;
  int64_t offline_timestamp = 0;
  uint64_t messages = 0;
  uint64_t metrics = 0;          // metric values applied
  uint64_t rebirths_requested = 0;
  uint64_t protocol_faults = 0;  // all kinds
  uint64_t malformed_payloads = 0;
  std::map<std::string, uint64_t> faults; // by kind name, non-zero only
  std::vector<device_brief> devices;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, edge_node_summary& x) {
  return f(caf::meta::type_name("floe::host::edge_node_summary"), x.group, x.edge_node, x.online,
           x.bdseq, x.last_seq, x.birth_timestamp, x.offline_timestamp, x.messages, x.metrics,
           x.rebirths_requested, x.protocol_faults, x.malformed_payloads, x.faults, x.devices);
}

// Anything that owns alarms and can acknowledge them.
using alarm_owner_actor =
  caf::typed_actor<caf::replies_to<ack_atom, std::string, std::string>::with<std::string>>;

using device_actor = caf::typed_actor<
  caf::reacts_to<device_birth>,
  caf::reacts_to<device_updates>,
  caf::reacts_to<device_status>,
  caf::reacts_to<timer_atom, uint64_t>,
  caf::replies_to<caf::get_atom>::with<device_state_view>,
  caf::replies_to<ack_atom, std::string, std::string>::with<std::string>>;

using supervisor_actor = caf::typed_actor<
  caf::reacts_to<raw_message>,
  caf::reacts_to<timer_atom, uint64_t>,
  caf::replies_to<caf::get_atom>::with<edge_node_summary>,
  caf::replies_to<caf::get_atom, std::string>::with<device_state_view>,
  caf::replies_to<rebirth_atom, std::string>::with<std::string>,
  caf::reacts_to<release_atom>,
  caf::replies_to<ack_atom, std::string, std::string>::with<std::string>>;

using directory_actor = caf::typed_actor<
  caf::reacts_to<caf::put_atom, std::string, std::string, supervisor_actor>,
  caf::reacts_to<caf::delete_atom, std::string, std::string>,
  caf::replies_to<list_atom>::with<std::vector<edge_node_summary>>,
  caf::replies_to<caf::get_atom, std::string, std::string>::with<supervisor_actor>>;

// Registers the serializable types above; call on the actor_system_config before start.
void add_host_message_types(caf::actor_system_config& cfg);

} // namespace floe::host

// Local-only: Sparkplug values are std::variant, which CAF 0.17 cannot serialize.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::host::device_birth)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(floe::host::device_updates)
