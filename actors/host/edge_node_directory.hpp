#pragma once
// edge_node_directory: knows every edge_node_supervisor of this member, for queries. Its job
// is lookup and gathering; it is never on the message path (ingest holds its own handles).
// A list request asks every supervisor for its summary and replies once all answered or
// `timeout_ms` passed (supervisors that did not answer are left out of the reply).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/host/host_messages.hpp"

namespace floe::host {

struct directory_state {
  static inline const char* name = "edge_node_directory";
  std::map<std::pair<std::string, std::string>, supervisor_actor> supervisors;
  int64_t timeout_ms = 0;
};

using directory_pointer = directory_actor::stateful_pointer<directory_state>;

directory_actor::behavior_type edge_node_directory(directory_pointer self, int64_t timeout_ms);

} // namespace floe::host
