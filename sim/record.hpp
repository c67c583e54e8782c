#pragma once
// --record FILE: one JSON line per message the simulator handed to MQTT, in publish order, so
// a test can compare what a host stored with what was sent. Line format (keys always present,
// null where not applicable):
//   {"id":17,"topic":"spBv1.0/G/DDATA/E/D","type":"DDATA","group":"G","edge_node":"E",
//    "device":"D","qos":0,"will":false,"bdSeq":3,"seq":42,"timestamp":1700000000123,
//    "metrics":[{"name":"Suction Pressure","alias":7,"datatype":"Float",
//                "timestamp":1700000000123,"value":2.4100000858306885,
//                "is_historical":false,"is_transient":false,"is_null":false}]}
// - "name" is resolved from the birth for alias-only DATA metrics (the wire carries no name
//   then); "alias" is null for metrics without one (bdSeq, Node Control/Rebirth).
// - Float values are the float widened to double, exactly as a decoder sees them.
// - Birth metrics with properties carry "properties":{"engUnit":"bar",...}.
// - "will":true marks the Will NDEATH the broker publishes when a --fault-drop-every drop cuts a
//   connection (recorded at the moment of the drop; "seq" null as for every NDEATH).
// - {"undelivered":17} follows when the MQTT client later reports message 17 as not sent
//   (its connection went down before the bytes left).
// Single writer: the scheduling thread.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "sim/profile.hpp"
#include "sim/stats.hpp"
#include "sparkplug/types.hpp"

namespace floe::sim {

struct record_context {
  uint64_t id = 0;
  std::string_view topic;
  sent_type type = sent_type::ddata;
  std::string_view group;
  std::string_view edge_node;
  std::string_view device; // empty for node messages
  uint8_t bdseq = 0;
  int qos = 0;
  bool will = false;
};

// Names of alias-only DATA metrics: alias first_alias + i is specs[i].
struct alias_names {
  const std::vector<metric_spec>* specs = nullptr;
  uint64_t first_alias = 0;
  const std::string* find(uint64_t alias) const noexcept;
};

std::string record_line(const record_context& ctx, const sparkplug::payload& p,
                        const alias_names& names);

class recorder {
public:
  static result<std::unique_ptr<recorder>, std::string> open(const std::string& path);
  ~recorder();
  recorder(const recorder&) = delete;
  recorder& operator=(const recorder&) = delete;

  void message(const record_context& ctx, const sparkplug::payload& p, const alias_names& names);
  void undelivered(uint64_t id);
  // Flushes and closes; error text when the file could not be written completely.
  std::string close();

private:
  explicit recorder(std::FILE* f) : file_(f) {}
  std::FILE* file_;
  bool failed_ = false;
};

} // namespace floe::sim
