#pragma once
// edge_node_session: the Sparkplug B 3.0 primary-host view of one edge node (group_id,
// edge_node_id) and its devices, as a deterministic state machine without I/O, clocks or CAF.
// The owner (one actor per edge node) feeds it every message of that edge node in arrival
// order, calls on_timer() when next_deadline() says so, and drains the events after each call.
// Thread: not thread-safe; one owner at a time.
//
// Rules (notes/sparkplug-b-3.0.md §3; choices the spec leaves open are marked "choice"):
// * NBIRTH starts a new session: bdSeq from the metric "bdSeq" (int or long field, datatype
//   Int64 or UInt64), seq taken as sent (0..255), node metrics and the alias table rebuilt,
//   held out-of-order messages of the old session dropped (they may belong to either session,
//   GH#178; reorder_discarded fault), devices online before go offline (node_rebirth) until
//   their DBIRTH. Missing bdSeq or "Node Control/Rebirth" is flagged, the birth still accepted.
// * seq: one counter per edge node over NDATA, DBIRTH, DDATA, DDEATH; expected = last + 1
//   mod 256. A message 1..127 ahead of expected is held in the reorder buffer; 128..255
//   "ahead" means behind (serial-number arithmetic, half the seq space) and is a duplicate or
//   late message: dropped with a duplicate_seq fault. When the missing message arrives, held
//   ones apply in seq order. A gap still open reorder_timeout_ms after the first held message
//   arrived (or a full buffer) is given up. Choice: the held messages are then applied in seq
//   order, skipping the missing seqs (seq_gap / reorder_overflow fault naming them), and a
//   rebirth is requested. Tahu drops them instead; applying keeps data that was received, the
//   coming NBIRTH then replaces the live values with a full snapshot, and storage is idempotent.
//   The session resynchronises on the applied messages, so data keeps flowing until the birth.
// * A message without seq (or seq > 255) is applied as it comes with an invalid_seq fault.
// * NDATA/DBIRTH/DDATA/DDEATH without a live NBIRTH (never born, after NDEATH or mark_offline)
//   are dropped with a rebirth request (data_before_birth).
// * DATA metrics are found by alias (if present) or by name in their own scope (node or that
//   device); aliases are unique across the node and all its devices. An unknown alias or name
//   skips that metric (the rest applies) and requests a rebirth. A duplicate alias in a birth
//   keeps the first owner and requests a rebirth. DDATA for a device without live DBIRTH is
//   dropped with a rebirth request; DDEATH for it is ignored with a fault.
// * Values without a datatype are typed with sparkplug::resolve_datatype() and the birth's
//   datatype, template members by the birth instance or its definition. is_null -> null.
// * NDEATH acts only when the node is online and its bdSeq equals the NBIRTH's: node offline
//   at arrival time, all devices offline, held messages dropped. Otherwise ignored with a
//   stale_ndeath fault (a late Will of an older connection, or a second NDEATH). Choice: a
//   session whose NBIRTH had no bdSeq has nothing to match and accepts any NDEATH.
// * DDEATH: that device offline at the DDEATH payload timestamp.
// * Rebirth requests: at most one per rebirth_throttle_ms. Choice: a request suppressed by the
//   throttle is counted and remembered; if no NBIRTH (or NDEATH) arrives before the interval
//   ends, one deferred request goes out then (on_timer), so a problem found during the interval
//   is not forgotten when it does not repeat.
// Times: now_ms is UTC wall-clock ms (it also stamps events). A clock stepping back restarts
// the running intervals from the new time instead of stalling them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/host/session_event.hpp"
#include "config/defaults.hpp"
#include "sparkplug/topic.hpp"
#include "sparkplug/types.hpp"

namespace floe::host {

struct session_config {
  // Longest time a seq gap may stay open (ms).
  int64_t reorder_timeout_ms = defaults::host::reorder_timeout_ms;
  // Most held out-of-order messages (messages); 0: no reordering, gaps are given up at once.
  size_t reorder_buffer_max = defaults::host::reorder_buffer_max_messages;
  // Shortest interval between two rebirth requests (ms).
  int64_t rebirth_throttle_ms = defaults::host::rebirth_throttle_ms;
};

struct session_counters {
  uint64_t messages = 0;            // NBIRTH..DDEATH handed to the session
  uint64_t metrics = 0;             // metric_update events emitted
  uint64_t rebirths_requested = 0;  // rebirth_request events emitted
  uint64_t rebirths_suppressed = 0; // requests swallowed by the throttle
  uint64_t reordered = 0;           // held messages applied in order once their gap filled
  uint64_t gaps = 0;                // missing seq ranges skipped (timeout, overflow, no buffer)
  uint64_t dropped = 0;             // messages not applied (duplicate, before birth, stale, ...)
  std::array<uint64_t, fault_kind_count> faults{}; // protocol_fault events by kind

  uint64_t fault_count(fault_kind k) const noexcept { return faults[static_cast<size_t>(k)]; }
};

struct device_view {
  std::string id;
  bool online = false;
  int64_t birth_timestamp = 0;   // last DBIRTH (ms UTC), 0 if none
  int64_t offline_timestamp = 0; // last time it went offline (ms UTC), 0 if never
  std::vector<metric_definition> metrics; // from its last DBIRTH (stale while offline)
};

// A copy of the session state for queries (admin shell).
struct session_view {
  std::string group_id;
  std::string edge_node_id;
  bool online = false;
  std::optional<uint64_t> bdseq;
  std::optional<uint8_t> last_seq;
  int64_t birth_timestamp = 0;
  int64_t offline_timestamp = 0;
  size_t held_messages = 0; // in the reorder buffer
  std::vector<metric_definition> metrics;
  std::vector<device_view> devices; // ordered by id
  session_counters counters;
};

class edge_node_session {
public:
  edge_node_session(std::string group_id, std::string edge_node_id, session_config config = {});

  // One message of this edge node, in arrival order. `device_id` is used for DBIRTH, DDATA and
  // DDEATH only. NCMD, DCMD and STATE are ignored (the host's own commands on the wildcard).
  void handle(sparkplug::message_type type, std::string_view device_id, sparkplug::payload&& p,
              int64_t now_ms);

  // Gives up an expired reorder gap and sends a deferred rebirth request, if due.
  void on_timer(int64_t now_ms);

  // When on_timer() has work to do (ms UTC); nullopt: nothing pending. Calling on_timer()
  // earlier or more often is harmless.
  std::optional<int64_t> next_deadline() const noexcept;

  // A rebirth the host wants for its own reasons; throttled like the others.
  void request_rebirth(std::string detail, int64_t now_ms);

  // The host lost track of the node (broker connection lost, shard moved away): node and
  // devices offline (host_released), held messages dropped. The next data requests a rebirth.
  void mark_offline(int64_t now_ms);

  // Moves the events emitted so far into `out` (which is cleared first). Swapping buffers
  // keeps both allocations: pass the same vector every time.
  void take_events(std::vector<session_event>& out);
  const std::vector<session_event>& events() const noexcept { return events_; }

  const std::string& group_id() const noexcept { return group_id_; }
  const std::string& edge_node_id() const noexcept { return edge_node_id_; }
  bool online() const noexcept { return node_.state.online; }
  std::optional<uint64_t> bdseq() const noexcept { return bdseq_; }
  std::optional<uint8_t> last_seq() const noexcept { return last_seq_; }
  int64_t birth_timestamp() const noexcept { return node_.state.birth_timestamp; }
  // Null when the device never sent a DBIRTH.
  const device_view* device(std::string_view id) const;
  const session_counters& counters() const noexcept { return counters_; }
  session_view view() const;

private:
  // Node (scope 0) or one device (scope i + 1 = devices_[i]).
  struct scope {
    device_view state;
    // Indexes into state.metrics, sorted by name (4 bytes per metric where a hash map costs
    // about 70: there is one scope per device). Names in a birth are unique.
    std::vector<uint32_t> by_name;
    std::vector<uint64_t> owned_aliases; // aliases this scope holds in aliases_

    // Index into state.metrics of the metric called `name`.
    std::optional<uint32_t> find(std::string_view name) const;
  };
  struct alias_target {
    uint32_t scope;
    uint32_t metric;
  };
  struct held_message {
    uint8_t seq;
    sparkplug::message_type type;
    std::string device;
    sparkplug::payload payload;
    int64_t arrived_ms;
  };
  struct data_faults;

  scope& scope_at(uint32_t id) { return id == 0 ? node_ : devices_[id - 1]; }
  const scope& scope_at(uint32_t id) const { return id == 0 ? node_ : devices_[id - 1]; }
  std::optional<uint32_t> find_device(std::string_view id) const;
  uint32_t find_or_add_device(std::string_view id);

  void on_nbirth(sparkplug::payload& p, int64_t now_ms);
  void on_ndeath(const sparkplug::payload& p, int64_t now_ms);
  void on_sequenced(sparkplug::message_type type, std::string_view device,
                    sparkplug::payload&& p, int64_t now_ms);
  void apply(sparkplug::message_type type, std::string_view device, sparkplug::payload&& p,
             int64_t now_ms);
  void on_dbirth(std::string_view device, sparkplug::payload& p, int64_t now_ms);
  void on_ddeath(std::string_view device, const sparkplug::payload& p, int64_t now_ms);
  void on_data(sparkplug::message_type type, std::string_view device, sparkplug::payload& p,
               int64_t now_ms);
  void register_birth(uint32_t scope_id, std::string_view device, sparkplug::payload& p,
                      int64_t birth_ts, int64_t now_ms);
  void type_template_members(const metric_definition& def, uint32_t scope_id,
                             sparkplug::template_value& tv, data_faults& faults);
  const metric_definition* find_template_definition(uint32_t scope_id,
                                                    const std::string& name) const;

  void drain_held(int64_t now_ms);
  void give_up_gap(fault_kind kind, int64_t now_ms);
  void discard_held(const char* cause);
  std::optional<int64_t> reorder_deadline() const noexcept;
  void all_devices_offline(offline_reason reason, int64_t ts);
  void release_aliases(scope& s);

  void fault(fault_kind kind, std::string_view device, std::string detail);
  void rebirth(rebirth_reason reason, std::string detail, int64_t now_ms);
  void emit_metric(std::string_view device, std::string name, uint32_t index,
                   sparkplug::metric& m, int64_t payload_ts, bool from_birth);

  std::string group_id_;
  std::string edge_node_id_;
  session_config config_;

  scope node_;
  std::vector<scope> devices_;
  std::map<std::string, uint32_t, std::less<>> device_index_; // id -> scope id
  std::unordered_map<uint64_t, alias_target> aliases_;        // whole edge node
  std::optional<uint64_t> bdseq_;
  std::optional<uint8_t> last_seq_; // nullopt: accept the next seq as it comes
  std::vector<held_message> held_;

  std::optional<int64_t> last_rebirth_ms_;
  std::optional<rebirth_request> deferred_rebirth_;

  session_counters counters_;
  std::vector<session_event> events_;
};

} // namespace floe::host
