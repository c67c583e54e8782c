#pragma once
// edge_node_supervisor: one Sparkplug edge node (the shard unit). Its job: the edge node's
// session. It decodes every message of the node (on CAF's workers, in arrival order), feeds
// the edge_node_session core, and turns the session's events into messages: births and values
// to the device actors it spawns (one per device, plus one under the empty id for the node's
// own metrics), rebirth requests to the broker as NCMD "Node Control/Rebirth", online/offline
// to the device actors (which mark values stale and raise offline alarms).
// A malformed payload costs that message only: it is counted and logged (throttled); the seq
// gap it leaves is the session's to handle.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/host/deadline_timer.hpp"
#include "actors/host/edge_node_session.hpp"
#include "actors/host/host_context.hpp"
#include "actors/host/host_messages.hpp"

namespace floe::host {

struct supervisor_state {
  static inline const char* name = "edge_node_supervisor";
  host_context_ptr ctx;
  std::optional<edge_node_session> session;
  std::string ncmd_topic;
  std::unordered_map<std::string, device_actor> devices; // "" = the node's own metrics
  std::map<std::string, device_brief> device_briefs;     // ordered, for summaries
  std::vector<session_event> events;                     // reused drain buffer
  int64_t offline_timestamp = 0;
  uint64_t malformed = 0;
  deadline_timer session_timer; // the session's next_deadline()
};

using supervisor_pointer = supervisor_actor::stateful_pointer<supervisor_state>;

supervisor_actor::behavior_type edge_node_supervisor(supervisor_pointer self,
                                                     host_context_ptr ctx, std::string group,
                                                     std::string edge_node);

// The NCMD payload that asks an edge node for a rebirth: one Boolean metric
// "Node Control/Rebirth" = true, with payload and metric timestamps `now_ms`, no seq.
std::string encode_rebirth_command(int64_t now_ms);

} // namespace floe::host
