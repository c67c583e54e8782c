#pragma once
// What an edge_node_session tells its owner. The session appends these to its event vector in
// the order things happened; the owner (edge_node_supervisor) drains them after every call and
// forwards them: values to device actors / storage, births to the registry, rebirth requests to
// the MQTT side as NCMD, faults to alarms and logs. Events own their data (values are moved out
// of the payload), so they can be sent on to other actors as they are.
// Order within one call: an NBIRTH yields device_offline (node_rebirth) for devices still online,
// then node_online, then birth_registered, then one metric_update per birth metric; a DBIRTH
// yields device_online, birth_registered, metric_updates. Values of a DATA message keep the
// message's metric order. Faults come where they are found (a reorder_discarded fault first,
// other NBIRTH faults after node_online); a rebirth_request comes after the faults behind it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/windows/compact_storage.hpp"
#include "sparkplug/types.hpp"

namespace floe::host {

// Sparkplug quality codes (property "Quality", Int32): spec 3.0 chapter 6.
inline constexpr int32_t quality_bad = 0;
inline constexpr int32_t quality_good = 192;
inline constexpr int32_t quality_stale = 500;

// Protocol anomalies of one edge node. "rebirth" marks the kinds that also request a rebirth.
enum class fault_kind : uint8_t {
  missing_bdseq,           // NBIRTH without an integer bdSeq metric; birth accepted
  missing_rebirth_metric,  // NBIRTH without "Node Control/Rebirth"; birth accepted
  invalid_birth_metric,    // birth metric without name or datatype, or re-listed with another alias
  duplicate_alias,         // alias used twice in the births of one edge node (rebirth)
  data_before_birth,       // NDATA/DBIRTH/DDATA/DDEATH without a live NBIRTH; dropped (rebirth)
  invalid_seq,             // seq absent or > 255; message applied without seq check
  duplicate_seq,           // seq already applied, already held, or behind; dropped
  seq_gap,                 // gap not filled within the reorder timeout (rebirth)
  reorder_overflow,        // reorder buffer full: gap given up at once (rebirth)
  reorder_discarded,       // held messages of the old session dropped by NBIRTH/NDEATH/mark_offline
  unknown_alias,           // DATA alias not defined for this node/device; metric skipped (rebirth)
  unknown_metric,          // DATA metric name not in the birth, or neither name nor alias (rebirth)
  unknown_template_member, // template member unknown to the birth; left untyped
  device_without_birth,    // DDATA (dropped, rebirth) or DDEATH for a device without live DBIRTH
  datatype_mismatch,       // DATA metric states another datatype than its birth; applied as sent
  value_mismatch,          // DATA value does not fit the birth datatype; metric skipped
                           // (a template member is left untyped instead)
  stale_ndeath,            // NDEATH not matching the live session's bdSeq; ignored
};
inline constexpr size_t fault_kind_count = 17;
const char* to_string(fault_kind k) noexcept;

enum class rebirth_reason : uint8_t {
  data_before_birth,
  seq_gap,
  reorder_overflow,
  unknown_alias,
  unknown_metric,
  duplicate_alias,
  device_without_birth,
  host_request, // edge_node_session::request_rebirth (e.g. shard taken over, operator)
};
const char* to_string(rebirth_reason r) noexcept;

enum class offline_reason : uint8_t {
  ndeath,        // node death with the session's bdSeq (node and all its devices)
  ddeath,        // device death
  node_rebirth,  // devices only: a new NBIRTH started a session; stale until their DBIRTH
  host_released, // edge_node_session::mark_offline (broker connection lost, shard moved away)
};
const char* to_string(offline_reason r) noexcept;

// One metric as a birth certificate defines it (for the registry and for typing DATA values).
// Memory: the session keeps one per metric of every device, so the parts most metrics lack
// (properties, a template reference) sit on the heap behind one pointer each (96 bytes
// instead of 184 per definition).
struct metric_definition {
  std::string name;
  std::optional<uint64_t> alias;
  sparkplug::datatype type = sparkplug::datatype::unknown; // unknown: the birth gave none
  bool is_template_definition = false;
  windows::heap_box<sparkplug::property_set> properties; // empty: the birth gave none
  // Template metrics: their members as listed in the birth and the instance's template_ref
  // (name of the definition metric); is_template_definition above tells definitions apart.
  std::vector<metric_definition> members;
  windows::heap_box<std::string> template_ref;
};
static_assert(sizeof(metric_definition) <= 96);
bool operator==(const metric_definition& a, const metric_definition& b);

// All timestamps: ms since the Unix epoch, UTC. `device` is empty for the edge node itself.

struct node_online {
  std::optional<uint64_t> bdseq; // absent when the NBIRTH had no usable bdSeq
  int64_t birth_timestamp = 0;   // NBIRTH payload timestamp, else arrival time
};

// All metrics of the node are stale from `timestamp` on (quality_stale).
struct node_offline {
  offline_reason reason{};
  int64_t timestamp = 0; // NDEATH: arrival time (the payload's is from CONNECT time)
};

struct device_online {
  std::string device;
  int64_t timestamp = 0; // DBIRTH payload timestamp, else arrival time
};

// All metrics of the device are stale from `timestamp` on (quality_stale).
struct device_offline {
  std::string device;
  offline_reason reason{};
  int64_t timestamp = 0; // DDEATH: payload timestamp, else arrival time
};

// One value of one metric, from a birth or a DATA message, typed with the birth datatype.
// Historical values (is_historical) belong to storage and windows, never over the live value.
// Transient values (is_transient) should not be historised.
struct metric_update {
  std::string device;
  std::string name;
  // Position of the metric's definition in the metrics of the last birth_registered of its
  // device (or node): consumers find the metric without looking its name up.
  uint32_t index = 0;
  sparkplug::datatype type = sparkplug::datatype::unknown; // unknown: the birth gave none
  sparkplug::value value;                                  // monostate: null (is_null)
  int64_t timestamp = 0; // metric timestamp, else payload timestamp, else arrival time
  bool is_historical = false;
  bool is_transient = false;
  bool from_birth = false;           // carried by an NBIRTH/DBIRTH (a full snapshot)
  int32_t quality = quality_good;    // property "Quality" when present
  // Rare on DATA messages, so on the heap: every update is moved from the session's events to
  // its device's batch, and inline these two were 300 of 536 bytes.
  windows::heap_box<sparkplug::property_set> properties; // empty: the metric had none
  windows::heap_box<sparkplug::metadata> meta;            // empty: the metric had none
};
static_assert(sizeof(metric_update) <= 256);

// A birth's metric definitions: replaces everything registered for (node, device) before.
struct birth_registered {
  std::string device;
  int64_t timestamp = 0;
  std::vector<metric_definition> metrics;
};

// Send an NCMD "Node Control/Rebirth" to this edge node. Already throttled by the session.
struct rebirth_request {
  rebirth_reason reason{};
  std::string detail;
};

struct protocol_fault {
  fault_kind kind{};
  std::string device;
  std::string detail;
};

using session_event = std::variant<node_online, node_offline, device_online, device_offline,
                                   metric_update, birth_registered, rebirth_request,
                                   protocol_fault>;

} // namespace floe::host
