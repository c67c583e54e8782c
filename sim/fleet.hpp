#pragma once
// The simulated fleet's layout: edge node ids, which device kinds each edge node has, device
// ids and the metric aliases. Aliases are unique per edge node across its node metrics and all
// its devices (Sparkplug's rule); bdSeq and Node Control/Rebirth carry none.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sim/profile.hpp"

namespace floe::sim {

struct device_layout {
  std::string id;
  size_t kind = 0;          // index into profile::device_kinds
  uint64_t first_alias = 0; // metric i of the kind has alias first_alias + i
};

struct edge_node_layout {
  std::string id;
  uint64_t node_first_alias = 0; // node metric i has alias node_first_alias + i
  std::vector<device_layout> devices;
  uint64_t alias_end = 0;        // one past the largest alias in use
};

struct fleet_options {
  std::string group_id;
  std::string edge_prefix;
  size_t edge_nodes = 0;
  size_t devices_per_node = 0;
};

// Splits `total` devices over kinds in proportion to their weights (largest remainder). When
// there are at least as many devices as kinds, every kind gets at least one device.
std::vector<size_t> distribute_devices(const std::vector<double>& weights, size_t total);

// "<prefix><number>" with the number zero-padded to the width of `count` (at least 2 digits),
// numbers starting at 1.
std::string numbered_id(const std::string& prefix, size_t number, size_t count);

// Every edge node has the same composition; only ids differ. Error when an id is not a valid
// Sparkplug id.
result<std::vector<edge_node_layout>, std::string> make_fleet(const profile& p,
                                                              const fleet_options& o);

} // namespace floe::sim
