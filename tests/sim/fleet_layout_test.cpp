#define CAF_SUITE sim_fleet_layout
#include <caf/test/unit_test.hpp>

#include <numeric>
#include <set>

#include "sim/fleet.hpp"

using namespace floe::sim;

namespace {

profile three_kinds() {
  auto p = parse_profile(R"({"name":"t",
    "node_metrics":[{"name":"Uptime","datatype":"Int64","signal":{"model":"counter","rate":1}},
                    {"name":"Load","datatype":"Float","signal":{"model":"constant","value":1}}],
    "device_kinds":[
      {"kind":"compressor","weight":2,"metrics":[
        {"name":"a","datatype":"Float","signal":{"model":"constant","value":1}},
        {"name":"b","datatype":"Float","signal":{"model":"constant","value":1}},
        {"name":"c","datatype":"Float","signal":{"model":"constant","value":1}}]},
      {"kind":"tank","weight":1,"metrics":[
        {"name":"a","datatype":"Float","signal":{"model":"constant","value":1}}]},
      {"kind":"row","weight":6,"metrics":[
        {"name":"a","datatype":"Float","signal":{"model":"constant","value":1}},
        {"name":"b","datatype":"Float","signal":{"model":"constant","value":1}}]}]})",
                         "t.json");
  if (!p)
    CAF_FAIL(p.error());
  return std::move(*p);
}

} // namespace

CAF_TEST(devices_split_by_weight_and_every_kind_gets_one) {
  auto counts = distribute_devices({2, 1, 6}, 90);
  CAF_CHECK_EQUAL(std::accumulate(counts.begin(), counts.end(), size_t{0}), 90u);
  CAF_CHECK_EQUAL(counts[0], 20u);
  CAF_CHECK_EQUAL(counts[1], 10u);
  CAF_CHECK_EQUAL(counts[2], 60u);
  auto few = distribute_devices({2, 1, 6}, 3);
  CAF_CHECK(few == std::vector<size_t>({1, 1, 1}));
  auto fewer = distribute_devices({2, 1, 6}, 2);
  CAF_CHECK_EQUAL(std::accumulate(fewer.begin(), fewer.end(), size_t{0}), 2u);
  CAF_CHECK(distribute_devices({1, 1}, 0) == std::vector<size_t>({0, 0}));
  for (size_t total = 0; total < 200; ++total) {
    auto c = distribute_devices({3, 0.5, 1, 7}, total);
    CAF_REQUIRE_EQUAL(std::accumulate(c.begin(), c.end(), size_t{0}), total);
  }
}

CAF_TEST(ids_are_numbered_and_zero_padded) {
  CAF_CHECK_EQUAL(numbered_id("edge-", 1, 5), "edge-01");
  CAF_CHECK_EQUAL(numbered_id("edge-", 7, 100), "edge-007");
  CAF_CHECK_EQUAL(numbered_id("edge-", 100, 100), "edge-100");
}

CAF_TEST(aliases_are_unique_per_edge_node_across_node_and_devices) {
  profile p = three_kinds();
  auto fleet = make_fleet(p, {"plant", "edge-", 3, 30});
  CAF_REQUIRE(fleet.has_value());
  CAF_REQUIRE_EQUAL(fleet->size(), 3u);
  for (const auto& node : *fleet) {
    std::set<uint64_t> aliases;
    for (size_t i = 0; i < p.node_metrics.size(); ++i)
      CAF_REQUIRE(aliases.insert(node.node_first_alias + i).second);
    std::set<std::string> ids;
    CAF_REQUIRE_EQUAL(node.devices.size(), 30u);
    for (const auto& d : node.devices) {
      CAF_REQUIRE(ids.insert(d.id).second);
      for (size_t i = 0; i < p.device_kinds[d.kind].metrics.size(); ++i)
        CAF_REQUIRE(aliases.insert(d.first_alias + i).second);
    }
    CAF_CHECK_EQUAL(*aliases.rbegin() + 1, node.alias_end);
    CAF_CHECK(aliases.count(0) == 0);
  }
  CAF_CHECK_EQUAL((*fleet)[0].id, "edge-01");
  CAF_CHECK_EQUAL((*fleet)[2].id, "edge-03");
  CAF_CHECK_EQUAL((*fleet)[0].devices[0].id, "compressor-01");
}

CAF_TEST(nodes_without_devices_are_allowed) {
  profile p = three_kinds();
  auto fleet = make_fleet(p, {"plant", "edge-", 2, 0});
  CAF_REQUIRE(fleet.has_value());
  CAF_CHECK((*fleet)[0].devices.empty());
}

CAF_TEST(invalid_ids_are_refused) {
  profile p = three_kinds();
  auto bad_group = make_fleet(p, {"pl+ant", "edge-", 1, 1});
  CAF_REQUIRE(!bad_group.has_value());
  CAF_CHECK(bad_group.error().find("group id 'pl+ant'") != std::string::npos);
  auto bad_prefix = make_fleet(p, {"plant", "a/b", 1, 1});
  CAF_REQUIRE(!bad_prefix.has_value());
  CAF_CHECK(bad_prefix.error().find("edge node id") != std::string::npos);
}
