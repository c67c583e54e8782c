#pragma once
// The sniffer's protocol checker, CAF- and MQTT-free: it follows each edge node's session as
// seen on the wire and names what violates Sparkplug B 3.0:
//   - NBIRTH must carry seq 0 and a bdSeq metric;
//   - NDATA, DBIRTH, DDATA and DDEATH carry seq = previous seq + 1 (mod 256, so 255 -> 0 is in
//     order); anything else is a seq gap ("seq gap: expected 12, got 14");
//   - data (NDATA/DBIRTH/DDATA/DDEATH) of an edge node without an NBIRTH since the sniffer
//     started or since its NDEATH is "data before birth" (flagged once, then its seq is followed);
//     DDATA/DDEATH of a device without a DBIRTH since the NBIRTH likewise, once per device;
//   - an NDEATH whose bdSeq differs from the NBIRTH's is stale (an older session's Will): flagged,
//     and the edge node stays online, as a host would treat it;
//   - a payload that does not decode is malformed; the seq after it is accepted as it comes.
// Commands (NCMD/DCMD) and STATE are not checked. Edge nodes are keyed by group and edge node id.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sparkplug/topic.hpp"

namespace floe::admin {

enum class violation_kind : uint8_t {
  seq_gap,
  missing_seq,
  birth_seq_not_zero,
  missing_bdseq,
  data_before_birth,
  stale_ndeath,
  malformed_payload,
  bad_topic,
};

// "seq_gap", "data_before_birth", ...
const char* to_string(violation_kind k) noexcept;

struct violation {
  violation_kind kind{};
  std::string text; // "seq gap: expected 12, got 14"
};

// What the tracker needs of one decoded message.
struct message_facts {
  sparkplug::message_type type{};
  std::string group;
  std::string edge_node;
  std::string device;            // D* messages
  std::optional<uint64_t> seq;   // payload seq, if present
  std::optional<int64_t> bdseq;  // value of the bdSeq metric (NBIRTH/NDEATH), if present
};

class sequence_tracker {
public:
  enum class session : uint8_t { unknown, online, dead };

  struct edge_state {
    session state = session::unknown;
    std::optional<uint8_t> last_seq;   // nullopt: next seq is accepted as it comes
    std::optional<int64_t> birth_bdseq;
    bool flagged_unborn = false;       // "data before birth" reported for this period
    std::set<std::string> born_devices;
    std::set<std::string> flagged_devices;
  };

  // Checks one message, updates the session and returns what it violates (usually nothing).
  std::vector<violation> observe(const message_facts& m);

  // A payload of this edge node that did not decode: returns the malformed_payload violation and
  // forgets the seq (the lost message had one).
  violation malformed(const message_facts& m, std::string_view error);

  // Null if the edge node was never seen.
  const edge_state* find(std::string_view group, std::string_view edge_node) const;
  size_t edge_nodes() const noexcept { return edges_.size(); }

private:
  std::map<std::string, edge_state> edges_; // "group/edge node"
};

} // namespace floe::admin
