#pragma once
// Sparkplug B topic namespace: spBv1.0/<group>/<VERB>/<edge node>[/<device>] and the 3.0 host
// STATE topic spBv1.0/STATE/<host id>. Parsing does not allocate: views point into the input.

#include <cstdint>
#include <string>
#include <string_view>

#include "sparkplug/errc.hpp"

namespace floe::sparkplug {

inline constexpr std::string_view topic_namespace = "spBv1.0";

enum class message_type : uint8_t { nbirth, ndeath, dbirth, ddeath, ndata, ddata, ncmd, dcmd, state };

// "NBIRTH", ..., "STATE".
const char* to_string(message_type t) noexcept;
// True for DBIRTH, DDEATH, DDATA, DCMD (topics with a device id).
bool is_device_message(message_type t) noexcept;

struct topic_view {
  message_type type{};
  std::string_view group_id;     // empty for STATE
  std::string_view edge_node_id; // empty for STATE
  std::string_view device_id;    // empty unless is_device_message(type)
  std::string_view host_id;      // STATE only
  bool legacy_state = false;     // Sparkplug 2.2 form "STATE/<host id>"
};

struct topic {
  message_type type{};
  std::string group_id;
  std::string edge_node_id;
  std::string device_id;
  std::string host_id;

  topic() = default;
  explicit topic(const topic_view& v);
  topic_view view() const noexcept;
  friend bool operator==(const topic& a, const topic& b) {
    return a.type == b.type && a.group_id == b.group_id && a.edge_node_id == b.edge_node_id
           && a.device_id == b.device_id && a.host_id == b.host_id;
  }
};

result<topic_view> parse_topic(std::string_view text) noexcept;
// The topic string for a well-formed view; ids are not validated here (see validate_id).
std::string format_topic(const topic_view& t);
// Sparkplug ids (group, edge node, device, host): non-empty valid UTF-8 without '+', '/', '#'
// or NUL. The error detail names the offending character and its byte offset.
result<void> validate_id(std::string_view id) noexcept;

// Subscription filter for every message of one edge node: "spBv1.0/<group>/+/<edge>/#".
std::string edge_node_filter(std::string_view group_id, std::string_view edge_node_id);

} // namespace floe::sparkplug
