#include "sim/fleet.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sparkplug/topic.hpp"

namespace floe::sim {

std::vector<size_t> distribute_devices(const std::vector<double>& weights, size_t total) {
  size_t kinds = weights.size();
  std::vector<size_t> counts(kinds, 0);
  if (kinds == 0 || total == 0)
    return counts;
  double sum = 0;
  for (double w : weights)
    sum += w > 0 ? w : 0.0;
  std::vector<double> remainders(kinds, 0.0);
  size_t given = 0;
  for (size_t k = 0; k < kinds; ++k) {
    double w = sum > 0 ? std::max(weights[k], 0.0) / sum : 1.0 / static_cast<double>(kinds);
    double share = static_cast<double>(total) * w;
    auto whole = static_cast<size_t>(std::floor(share));
    counts[k] = whole;
    given += whole;
    remainders[k] = share - static_cast<double>(whole);
  }
  // Largest remainders first; ties go to the earlier kind, so the result is deterministic.
  std::vector<size_t> order(kinds);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t i = 0; given < total; ++i, ++given)
    ++counts[order[i % kinds]];
  // With enough devices every kind appears: a kind left empty takes one from the largest.
  if (total >= kinds)
    for (size_t k = 0; k < kinds; ++k)
      if (counts[k] == 0) {
        auto largest = std::max_element(counts.begin(), counts.end());
        --*largest;
        counts[k] = 1;
      }
  return counts;
}

std::string numbered_id(const std::string& prefix, size_t number, size_t count) {
  std::string digits = std::to_string(number);
  size_t width = std::max<size_t>(2, std::to_string(count).size());
  return prefix + std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

result<std::vector<edge_node_layout>, std::string> make_fleet(const profile& p,
                                                              const fleet_options& o) {
  if (auto valid = sparkplug::validate_id(o.group_id); !valid)
    return make_unexpected("group id '" + o.group_id + "': " + valid.error().detail);

  std::vector<double> weights;
  for (const auto& k : p.device_kinds)
    weights.push_back(k.weight);
  std::vector<size_t> per_kind = distribute_devices(weights, o.devices_per_node);

  // The composition shared by every edge node.
  edge_node_layout templ;
  templ.node_first_alias = 1;
  uint64_t next_alias = templ.node_first_alias + p.node_metrics.size();
  for (size_t k = 0; k < per_kind.size(); ++k) {
    const device_kind& kind = p.device_kinds[k];
    for (size_t n = 1; n <= per_kind[k]; ++n) {
      device_layout d;
      d.id = numbered_id(kind.id_prefix, n, per_kind[k]);
      if (auto valid = sparkplug::validate_id(d.id); !valid)
        return make_unexpected("device id '" + d.id + "': " + valid.error().detail);
      d.kind = k;
      d.first_alias = next_alias;
      next_alias += kind.metrics.size();
      templ.devices.push_back(std::move(d));
    }
  }
  templ.alias_end = next_alias;

  std::vector<edge_node_layout> fleet;
  fleet.reserve(o.edge_nodes);
  for (size_t e = 1; e <= o.edge_nodes; ++e) {
    edge_node_layout node = templ;
    node.id = numbered_id(o.edge_prefix, e, o.edge_nodes);
    if (auto valid = sparkplug::validate_id(node.id); !valid)
      return make_unexpected("edge node id '" + node.id + "': " + valid.error().detail);
    fleet.push_back(std::move(node));
  }
  return fleet;
}

} // namespace floe::sim
